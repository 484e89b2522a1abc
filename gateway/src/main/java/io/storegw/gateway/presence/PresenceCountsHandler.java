package io.storegw.gateway.presence;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.Observation;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.core.OpenBucket;
import io.storegw.gateway.core.TimeBuckets;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.outbox.Alarm;
import java.time.Duration;
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
 *
 * <p>At most {@link #MAX_RECEIVERS} receivers are counted per bucket. A receiver's name comes from its node (an
 * ESPresense room is a topic level), so anything publishing on the store's broker can make up new ones; counted
 * without end they took the heap, and past some 15,000 the bucket's event no longer fit an outbox row, which lost
 * it and every event closing with it. Sightings past the limit are left out and said once an hour in an alarm.
 */
public final class PresenceCountsHandler implements ObservationHandler {

    /** Receivers counted per bucket at most: a store has tens (the gateway's adapter, ESPresense nodes, gateways). */
    public static final int MAX_RECEIVERS = 1_000;
    private static final Duration ALARM_EVERY = Duration.ofHours(1);

    private final OpenBucket bucket;
    private final int k;
    private final Map<String, Set<String>> heard = new HashMap<>();
    /** Sightings of receivers past the limit in the open bucket. */
    private long leftOut;
    private Instant alarmedAt;

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
        Set<String> devices = heard.get(sighting.receiverId());
        if (devices == null) {
            if (heard.size() >= MAX_RECEIVERS) {
                leftOut++;
                return;
            }
            devices = new HashSet<>();
            heard.put(sighting.receiverId(), devices);
        }
        devices.add(sighting.advertiser());
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
            if (leftOut > 0 && (alarmedAt == null || !now.isBefore(alarmedAt.plus(ALARM_EVERY)) || now.isBefore(alarmedAt))) {
                alarmedAt = now;
                out.emit(EventCatalogue.GATEWAY_ALARM, "presence", DataClass.ANONYMOUS, new Alarm("presence.receivers",
                        "Sightings from more than " + MAX_RECEIVERS + " receivers in the bucket from " + closed + ": " + leftOut
                        + " from the others were left out of presence.counts. Something on the store's broker makes up receivers"
                        + " (ESPresense rooms, gateway names); said at most once an hour while it lasts.", null, null));
            }
            leftOut = 0;
            heard.clear();
        }
    }
}
