package io.storegw.gateway.presence;

import io.storegw.drivers.observation.BleSighting;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Zones marked by fixed beacons: each beacon is heard by the receivers like a phone would be, and what
 * they hear of it is the zone's fingerprint. Both are calibrated by their own 1 m power, so a beacon
 * and a phone that advertise at different powers compare by path loss. A phone's distance from a
 * beacon's zone is the root-mean-square difference in dB between its calibrated signals and the
 * beacon's (a receiver that hears only one of them counts as hearing the other
 * {@value #UNHEARD_LOSS_DB} dB below its 1 m power, about -100 dBm; at least one must hear both);
 * the zone scores minus that distance. The references are measured live, so they follow shelves being
 * moved and receivers being swapped without calibration.
 */
final class BeaconReferences {

    private record Reference(double rssi, Instant at) {
    }

    private static final class Beacon {
        final String zone;
        final Map<String, List<Integer>> samples = new HashMap<>();
        final Map<String, Reference> references = new HashMap<>();
        Instant windowEnd;
        int txPower = ZoneTracker.DEFAULT_TX_DBM;

        Beacon(String zone) {
            this.zone = zone;
        }
    }

    /** What a receiver that does not hear a signal is taken to hear, below the 1 m power: about the floor of a BLE receiver. */
    static final double UNHEARD_LOSS_DB = -41;

    private final Map<String, Beacon> beacons = new HashMap<>();
    private final Set<String> receivers = new HashSet<>();
    private final Map<String, Double> offsetDb;
    private final Duration window;
    private final Duration stale;

    /** @param stale a reference older than this (the beacon unheard at that receiver) is not used */
    BeaconReferences(List<ZoneTracker.Zone> zones, Map<String, Double> offsetDb, Duration window, Duration stale) {
        zones.forEach(z -> z.beacons().forEach(b -> beacons.put(b, new Beacon(z.name()))));
        this.offsetDb = offsetDb;
        this.window = window;
        this.stale = stale;
    }

    /** Takes a sighting of a zone's beacon; false for every other advertiser. */
    boolean offer(BleSighting s) {
        Beacon b = beacons.get(s.advertiser());
        if (b == null) {
            return false;
        }
        if (b.windowEnd == null) {
            b.windowEnd = s.at().plus(window);
        } else if (!s.at().isBefore(b.windowEnd)) {
            Instant end = b.windowEnd;
            b.samples.forEach((receiver, rssi) -> b.references.put(receiver,
                    new Reference(RssiFilter.median(rssi) + offsetDb.getOrDefault(receiver, 0.0) - b.txPower, end)));
            b.samples.clear();
            b.windowEnd = s.at().plus(window);
        }
        b.samples.computeIfAbsent(s.receiverId(), r -> new ArrayList<>()).add(s.rssi());
        if (s.txPower() != null) {
            b.txPower = s.txPower();
        }
        receivers.add(s.receiverId());
        return true;
    }

    /** Every time kept, {@code back} earlier: the clock was set back by that much (see {@code ZoneTracker.onClockSetBack}). */
    void shiftBack(Duration back) {
        for (Beacon b : beacons.values()) {
            b.windowEnd = b.windowEnd == null ? null : b.windowEnd.minus(back);
            b.references.replaceAll((receiver, ref) -> new Reference(ref.rssi(), ref.at().minus(back)));
        }
    }

    /** Whether this receiver has heard a zone's beacon, so its sightings of phones place them. */
    boolean hears(String receiver) {
        return receivers.contains(receiver);
    }

    /**
     * Adds the beacon zones' scores (minus their distance in dB) for one window's filtered,
     * offset-corrected, calibrated signals; a zone keeps the better of this and its receivers' score.
     */
    void score(Map<String, Double> rssi, Instant at, Map<String, Double> scores) {
        if (beacons.isEmpty() || rssi.isEmpty()) {
            return;
        }
        for (Beacon b : beacons.values()) {
            double sum = 0;
            int compared = 0;
            boolean common = false;
            for (Map.Entry<String, Reference> ref : b.references.entrySet()) {
                if (at.isAfter(ref.getValue().at().plus(stale))) {
                    continue;
                }
                Double phone = rssi.get(ref.getKey());
                common |= phone != null;
                double d = (phone == null ? UNHEARD_LOSS_DB : phone) - ref.getValue().rssi();
                sum += d * d;
                compared++;
            }
            for (Map.Entry<String, Double> phone : rssi.entrySet()) {
                Reference ref = b.references.get(phone.getKey());
                if (receivers.contains(phone.getKey()) && (ref == null || at.isAfter(ref.at().plus(stale)))) {
                    double d = phone.getValue() - UNHEARD_LOSS_DB; // heard here, the beacon is not
                    sum += d * d;
                    compared++;
                }
            }
            if (common) {
                scores.merge(b.zone, -Math.sqrt(sum / compared), Math::max);
            }
        }
    }
}
