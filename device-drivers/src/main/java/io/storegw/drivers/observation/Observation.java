package io.storegw.drivers.observation;

import java.time.Instant;

/** Something a driver saw in the store; drivers know nothing of loyalty, zones or MQTT. */
public sealed interface Observation permits BleSighting, BeaconTelemetry, PosTransaction, DoorCrossing, DoorCounts, DeviceReading, DeviceStatus {

    /** When the driver saw it. */
    Instant at();

    /**
     * What makes a re-sent observation the same one (a till that retries after a lost acknowledgement),
     * or {@code null} when every observation counts: the gateway commits the key with the events, and
     * a key it has already committed makes the observation a no-op that still succeeds.
     */
    default String idempotencyKey() {
        return null;
    }
}
