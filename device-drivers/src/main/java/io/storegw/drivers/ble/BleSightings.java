package io.storegw.drivers.ble;

import io.storegw.drivers.ble.beacon.BeaconFrame;
import io.storegw.drivers.ble.hci.AdvertisingReport;
import io.storegw.drivers.ble.identity.Identity;
import io.storegw.drivers.observation.BleSighting;
import java.time.Instant;
import java.util.List;

/** Makes the core loop's {@link BleSighting} from a decoded, resolved advertisement: the identity's key, never the address. */
public final class BleSightings {

    /** Eddystone frames state their power at 0 m; the Eddystone spec puts 1 m 41 dB lower. */
    static final int EDDYSTONE_0M_TO_1M = 41;
    /** Calibrated powers outside this range are configuration mistakes (a beacon claiming +116 dBm), not physics. */
    static final int MIN_TX_POWER = -100;
    static final int MAX_TX_POWER = 20;

    private BleSightings() {
    }

    /** The sighting, or {@code null} when the controller reported no RSSI (nothing to place it by). */
    public static BleSighting of(Instant at, String receiverId, AdvertisingReport report, List<BeaconFrame> frames,
                                 Identity identity) {
        if (report.rssi() == null) {
            return null;
        }
        return new BleSighting(at, receiverId, identity.key(), report.rssi(), txPowerAt1m(frames));
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
