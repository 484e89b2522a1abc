package io.storegw.drivers.observation;

import java.time.Instant;
import java.util.Objects;

/**
 * One BLE advertisement heard by one receiver.
 *
 * @param advertiser a stable identity of the advertiser (for example {@code ibeacon:UUID/major/minor});
 *                   never a raw MAC address, which must not leave the driver layer
 * @param txPower    calibrated power at 1 m in dBm, or {@code null} when the frame does not carry it
 */
public record BleSighting(Instant at, String receiverId, String advertiser, int rssi, Integer txPower)
        implements Observation {
    public BleSighting {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(receiverId, "receiverId");
        Objects.requireNonNull(advertiser, "advertiser");
    }
}
