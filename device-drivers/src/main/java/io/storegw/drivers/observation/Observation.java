package io.storegw.drivers.observation;

import java.time.Instant;

/** Something a driver saw in the store; drivers know nothing of loyalty, zones or MQTT. */
public sealed interface Observation permits BleSighting, PosTransaction, DoorCrossing {

    /** When the driver saw it. */
    Instant at();
}
