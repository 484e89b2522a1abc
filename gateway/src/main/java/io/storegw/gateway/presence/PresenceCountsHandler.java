package io.storegw.gateway.presence;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.Observation;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.core.OpenBucket;
import io.storegw.gateway.core.TimeBuckets;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The anonymous tier of presence: how many distinct devices each receiver heard per bucket, with small
 * counts suppressed so no single shopper can be picked out. Identities are held in memory only for
 * the open bucket.
 */
public final class PresenceCountsHandler implements ObservationHandler {

    private final OpenBucket bucket;
    private final int k;
    private final Map<String, Set<String>> heard = new HashMap<>();

    public PresenceCountsHandler(TimeBuckets buckets, int k) {
        this.bucket = new OpenBucket(buckets);
        this.k = k;
    }

    @Override
    public void onObservation(Observation observation, Emitter out) {
        if (!(observation instanceof BleSighting sighting)) {
            return;
        }
        onTick(sighting.at(), out);
        heard.computeIfAbsent(sighting.receiverId(), r -> new HashSet<>()).add(sighting.advertiser());
    }

    @Override
    public void onClockSetBack(Instant now) {
        bucket.clockSetBack(now);
    }

    @Override
    public void onTick(Instant now, Emitter out) {
        Instant closed = bucket.closeIfPast(now);
        if (closed != null) {
            if (!heard.isEmpty()) {
                var receivers = new TreeMap<>(heard).entrySet().stream().map(e -> {
                    int n = e.getValue().size();
                    return n < k ? new PresenceCounts.Receiver(e.getKey(), null, true)
                            : new PresenceCounts.Receiver(e.getKey(), n, false);
                }).toList();
                out.emit(EventCatalogue.PRESENCE_COUNTS, "receivers", DataClass.ANONYMOUS,
                        new PresenceCounts(closed, bucket.endOf(closed), k, receivers));
            }
            heard.clear();
        }
    }
}
