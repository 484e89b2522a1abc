package io.storegw.drivers.ble;

import io.storegw.drivers.ble.beacon.BeaconFrame;
import io.storegw.drivers.ble.identity.Identity;
import io.storegw.drivers.ble.identity.IdentityResolver;
import io.storegw.drivers.observation.BeaconTelemetry;
import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.Observation;
import java.time.Instant;
import java.util.List;

/** Makes the core loop's observations from a decoded, resolved advertisement: the identity's key, never the address. */
public final class BleSightings {

    /** Eddystone frames state their power at 0 m; the Eddystone spec puts 1 m 41 dB lower. */
    static final int EDDYSTONE_0M_TO_1M = 41;
    /** Calibrated powers outside this range are configuration mistakes (a beacon claiming +116 dBm), not physics. */
    static final int MIN_TX_POWER = -100;
    static final int MAX_TX_POWER = 20;

    private BleSightings() {
    }

    /**
     * What one decoded, resolved advertisement tells the core: its sighting (none without an RSSI, which
     * some controllers leave out) and, when a fixed beacon sent its TLM, the beacon's telemetry.
     */
    public static List<Observation> of(Instant at, String receiverId, Integer rssi, List<BeaconFrame> frames,
                                       IdentityResolver.Resolution who) {
        BleSighting sighting = rssi == null ? null : new BleSighting(at, receiverId, who.identity().key(), rssi, txPowerAt1m(frames));
        BeaconFrame.EddystoneTlm tlm = who.telemetry();
        if (tlm == null || !(who.identity() instanceof Identity.FixedBeacon beacon)) {
            return sighting == null ? List.of() : List.of(sighting);
        }
        BeaconTelemetry telemetry = new BeaconTelemetry(at, receiverId, beacon.key(), tlm.batteryMv(), tlm.temperatureC(),
                tlm.advCount(), tlm.uptimeDeciseconds() / 10);
        return sighting == null ? List.of(telemetry) : List.of(sighting, telemetry);
    }

    /** The first frame's calibrated power at 1 m, or {@code null} when no frame gives a plausible one. */
    public static Integer txPowerAt1m(List<BeaconFrame> frames) {
        for (BeaconFrame f : frames) {
            Integer power = null;
            if (f instanceof BeaconFrame.IBeacon ib) {
                power = ib.txPower();
            } else if (f instanceof BeaconFrame.AltBeacon ab) {
                power = ab.txPower();
            } else if (f instanceof BeaconFrame.EddystoneUid uid) {
                power = uid.txPower() - EDDYSTONE_0M_TO_1M;
            } else if (f instanceof BeaconFrame.EddystoneEid eid) {
                power = eid.txPower() - EDDYSTONE_0M_TO_1M;
            } else if (f instanceof BeaconFrame.EddystoneUrl url) {
                power = url.txPower() - EDDYSTONE_0M_TO_1M;
            }
            if (power != null) {
                return power >= MIN_TX_POWER && power <= MAX_TX_POWER ? power : null;
            }
        }
        return null;
    }
}
