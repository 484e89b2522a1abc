package io.storegw.drivers.observation;

import java.time.Instant;
import java.util.Objects;

/**
 * What a fixed beacon says about itself in its Eddystone-TLM frames, heard by one receiver.
 *
 * @param beacon        the beacon's identity key (the UID or iBeacon frame it also sends from the same address)
 * @param batteryMv     battery voltage, or null when the beacon reports none
 * @param temperatureC  its temperature, or null when it has no sensor
 * @param advertisements advertisements sent since power-on
 * @param uptimeSeconds time since power-on or reboot
 */
public record BeaconTelemetry(Instant at, String receiverId, String beacon, Integer batteryMv, Double temperatureC,
                              long advertisements, long uptimeSeconds) implements Observation {
    public BeaconTelemetry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(receiverId, "receiverId");
        Objects.requireNonNull(beacon, "beacon");
    }
}
