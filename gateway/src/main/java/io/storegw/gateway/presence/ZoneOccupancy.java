package io.storegw.gateway.presence;

import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.OpenBucket;
import io.storegw.gateway.core.TimeBuckets;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The anonymous tier of zone presence: per bucket and zone, how many phones stayed there and how long
 * the stays that ended lasted (median and 90th percentile). A figure from fewer than {@code k} phones
 * or stays is suppressed, so no single shopper can be picked out. Who was there is held in memory only
 * for the open bucket.
 *
 * <p>A bucket may be a day long ({@code core.bucket}), and up to 2,000 anonymous devices a minute are told
 * apart, so at most {@link PresenceCountsHandler#MAX_DEVICES} phones and {@link #MAX_STAYS} stays are kept a
 * bucket; past them the counts fall short, as {@code presence.counts}' do (whose alarm says so: a phone with a
 * stay was heard by a receiver).
 */
final class ZoneOccupancy {

    /** The data of {@code presence.zones}. */
    record Counts(Instant bucketStart, Instant bucketEnd, int k, List<Zone> zones) {
    }

    /**
     * One zone in one bucket; counts and dwell below k are null and flagged suppressed.
     *
     * @param devices phones with a stay there during the bucket
     * @param stays   stays that ended during the bucket
     */
    record Zone(String zone, Integer devices, Integer stays, Long dwellP50Seconds, Long dwellP90Seconds, boolean suppressed) {
    }

    /** Stays kept a bucket: a busy store's day in a one-day bucket is about 25,000. */
    static final int MAX_STAYS = 100_000;

    private final OpenBucket bucket;
    private final int k;
    private final Map<String, Set<String>> present = new TreeMap<>();
    private final Map<String, List<Long>> dwell = new TreeMap<>();
    /** Phones (once per zone) and stays kept in the open bucket. */
    private int phones;
    private int stays;

    ZoneOccupancy(TimeBuckets buckets, int k) {
        this.bucket = new OpenBucket(buckets);
        this.k = k;
    }

    void entered(String who, String zone) {
        if (phones < PresenceCountsHandler.MAX_DEVICES && present.computeIfAbsent(zone, z -> new HashSet<>()).add(who)) {
            phones++;
        }
    }

    void exited(String zone, long dwellSeconds) {
        if (stays < MAX_STAYS) {
            stays++;
            dwell.computeIfAbsent(zone, z -> new ArrayList<>()).add(dwellSeconds);
        }
    }

    void clockSetBack(Instant now) {
        bucket.clockSetBack(now);
    }

    /** Publishes the bucket {@code now} has moved past; {@code stillIn} (who is in which zone) count in the next one too. */
    void onTick(Instant now, Emitter out, Supplier<Map<String, String>> stillIn) {
        Instant closed = bucket.closeIfPast(now);
        if (closed == null) {
            return;
        }
        if (!present.isEmpty() || !dwell.isEmpty()) {
            List<Zone> zones = new ArrayList<>();
            Set<String> names = new TreeSet<>(present.keySet());
            names.addAll(dwell.keySet());
            for (String name : names) {
                int devices = present.getOrDefault(name, Set.of()).size();
                List<Long> stays = dwell.getOrDefault(name, List.of());
                boolean shown = devices >= k;
                boolean dwellShown = shown && stays.size() >= k;
                List<Long> sorted = stays.stream().sorted().toList();
                zones.add(new Zone(name, shown ? devices : null, shown ? stays.size() : null,
                        dwellShown ? percentile(sorted, 50) : null, dwellShown ? percentile(sorted, 90) : null, !shown));
            }
            out.emit(EventCatalogue.PRESENCE_ZONES, "zones", DataClass.ANONYMOUS, new Counts(closed, bucket.endOf(closed), k, zones));
        }
        present.clear();
        dwell.clear();
        phones = 0;
        stays = 0;
        stillIn.get().forEach((who, zone) -> entered(who, zone));
    }

    /** Nearest-rank percentile of a sorted, non-empty list. */
    static long percentile(List<Long> sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
