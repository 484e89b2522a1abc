package io.storegw.drivers.observation;

import java.time.Instant;
import java.util.Objects;

/**
 * A store device went online or offline, or reported a fault.
 *
 * @param reason why the gateway says so: {@code will} (the device's last will or status topic),
 *               {@code silence} (nothing heard for the configured time), {@code heard} (a message after
 *               silence), or a fault's description
 */
public record DeviceStatus(Instant at, String deviceId, State state, String reason) implements Observation {

    /** Up, down, or up but not working. */
    public enum State { ONLINE, OFFLINE, FAULT }

    public DeviceStatus {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
    }
}
