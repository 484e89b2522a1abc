package io.storegw.gateway.presence;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.Observation;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.LeftOut;
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
 *
 * <p>At most {@link #MAX_RECEIVERS} receivers and {@link #MAX_DEVICES} devices are counted per bucket. A
 * receiver's name comes from its node (an ESPresense room is a topic level), so anything publishing on the
 * store's broker can make up new ones; counted without end they took the heap, and past some 15,000 the
 * bucket's event no longer fit an outbox row, which lost it and every event closing with it. A fixed beacon's
 * name is what it advertises, so beacon spam (random iBeacon or Eddystone ids, which no session limit bounds)
 * made up devices at the rate it was sent: 1,500 a second took the old generation to 38 of the 64 MB within a
 * minute. Sightings past either limit are left out and said once an hour in an alarm.
 */
public final class PresenceCountsHandler implements ObservationHandler {

    /** Receivers counted per bucket at most: a store has tens (the gateway's adapter, ESPresense nodes, gateways). */
    public static final int MAX_RECEIVERS = 1_000;
    /**
     * Devices counted per bucket over all receivers (one heard by three receivers is three), about 3 MB at most:
     * ten times what a busy store's receivers hear in the default minute.
     */
    public static final int MAX_DEVICES = 20_000;

    private final OpenBucket bucket;
    private final int k;
    private final Map<String, Set<String>> heard = new HashMap<>();
    /** Devices counted in the open bucket, over all receivers. */
    private int devices;
    private final LeftOut receiversLeftOut = new LeftOut("presence.receivers", "presence");
    private final LeftOut devicesLeftOut = new LeftOut("presence.devices", "presence");

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
        Set<String> heardBy = heard.get(sighting.receiverId());
        if (heardBy == null && heard.size() >= MAX_RECEIVERS) {
            receiversLeftOut.add();
            return;
        }
        if (devices >= MAX_DEVICES && (heardBy == null || !heardBy.contains(sighting.advertiser()))) {
            devicesLeftOut.add();
            return;
        }
        if (heardBy == null) {
            heardBy = new HashSet<>();
            heard.put(sighting.receiverId(), heardBy);
        }
        if (heardBy.add(sighting.advertiser())) {
            devices++;
        }
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
            receiversLeftOut.sayIfDue(now, out, n -> "Sightings from more than " + MAX_RECEIVERS + " receivers a bucket: " + n
                    + " from the others were left out of presence.counts since the last such alarm (or the start). Something on the"
                    + " store's broker makes up receivers (ESPresense rooms, gateway names); said at most once an hour while it lasts.");
            devicesLeftOut.sayIfDue(now, out, n -> "More than " + MAX_DEVICES + " devices heard a bucket (counted once per"
                    + " receiver): " + n + " sightings of others were left out of presence.counts since the last such alarm (or the"
                    + " start), so those counts are short. Beacon or advertising spam near the store, or receivers made up on the"
                    + " store's broker; said at most once an hour while it lasts.");
            devices = 0;
            heard.clear();
        }
    }
}
