package io.storegw.drivers.localmqtt;

import io.storegw.drivers.observation.DeviceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which local devices are online: a device is online from its first message (or its Will saying so)
 * and offline after its Will says so or after {@code offlineAfter} without a message. Reports only
 * changes. Not thread-safe: the source calls it from one thread.
 *
 * <p>A device's id comes from the topic, so anything publishing on the store's broker can make new ones: at most
 * {@link #MAX_DEVICES} are followed (a store has tens), and one offline for {@link #FORGET_AFTER} is forgotten.
 */
final class Liveness {

    /** Devices followed at most; a message from another is still read, but its device gets no status. */
    static final int MAX_DEVICES = 1_000;
    /** A device offline this long is forgotten; if it comes back it is online again, as a new one would be. */
    static final Duration FORGET_AFTER = Duration.ofDays(1);

    private record Device(Instant lastHeard, boolean online) {
    }

    private final Duration offlineAfter;
    private final Runnable untracked;
    private final Map<String, Device> devices = new HashMap<>();

    Liveness(Duration offlineAfter) {
        this(offlineAfter, () -> { });
    }

    /** @param untracked told of each message from a device past {@link #MAX_DEVICES} */
    Liveness(Duration offlineAfter, Runnable untracked) {
        this.offlineAfter = offlineAfter;
        this.untracked = untracked;
    }

    /** A message from {@code device}: online, if it was not. */
    DeviceStatus heard(String device, Instant at) {
        if (full(device)) {
            return null;
        }
        Device before = devices.put(device, new Device(at, true));
        return before == null || !before.online() ? new DeviceStatus(at, device, DeviceStatus.State.ONLINE, "heard") : null;
    }

    /** The device's own word (its Will or status topic); the change, if it is one. */
    DeviceStatus said(DeviceStatus status) {
        if (full(status.deviceId())) {
            return null;
        }
        boolean online = status.state() == DeviceStatus.State.ONLINE;
        Device before = devices.put(status.deviceId(), new Device(status.at(), online));
        return before == null || before.online() != online ? status : null;
    }

    private boolean full(String device) {
        if (devices.size() < MAX_DEVICES || devices.containsKey(device)) {
            return false;
        }
        untracked.run();
        return true;
    }

    /**
     * Devices silent for longer than {@code offlineAfter}, now offline. A last message later than now was heard while
     * the clock ran ahead (NTP has set it back since): it counts as heard now, or the device's silence would go
     * unnoticed for the length of the step.
     */
    List<DeviceStatus> sweep(Instant now) {
        devices.values().removeIf(d -> !d.online() && Duration.between(d.lastHeard(), now).compareTo(FORGET_AFTER) > 0);
        List<DeviceStatus> gone = new ArrayList<>();
        devices.replaceAll((id, heard) -> {
            Device d = heard.lastHeard().isAfter(now) ? new Device(now, heard.online()) : heard;
            if (d.online() && Duration.between(d.lastHeard(), now).compareTo(offlineAfter) > 0) {
                gone.add(new DeviceStatus(now, id, DeviceStatus.State.OFFLINE, "silence"));
                return new Device(d.lastHeard(), false);
            }
            return d;
        });
        return gone;
    }
}
