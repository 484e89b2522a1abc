package io.storegw.gateway.store;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.DoorCounts;
import io.storegw.drivers.observation.DoorCrossing;
import io.storegw.drivers.observation.Observation;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.core.OpenBucket;
import io.storegw.gateway.core.TimeBuckets;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.presence.PresenceCountsHandler;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * Publishes {@code store.occupancy} per bucket: the door counters' occupancy (read from the footfall
 * handler) beside the distinct phones the radios heard, counts below k suppressed. Runs before the
 * footfall handler, so a crossing after the bucket closes it before being counted.
 */
public final class OccupancyHandler implements ObservationHandler {

    private final OpenBucket bucket;
    private final int k;
    private final FootfallHandler doors;
    private final Set<String> phones = new HashSet<>();
    private final Set<String> members = new HashSet<>();

    public OccupancyHandler(TimeBuckets buckets, int k, FootfallHandler doors) {
        this.bucket = new OpenBucket(buckets);
        this.k = k;
        this.doors = doors;
    }

    @Override
    public void onObservation(Observation observation, Emitter out) {
        if (observation instanceof BleSighting s) {
            onTick(s.at(), out);
            String who = s.advertiser();
            boolean phone = who.startsWith("member:") || who.startsWith("anon"); // anon:SESSION, or "anonymous" where no sessions are made
            // Bounded like presence.counts (whose alarm says when): a bucket may be a day of 2,000 new devices a minute.
            if (phone && (phones.size() < PresenceCountsHandler.MAX_DEVICES || phones.contains(who))) {
                phones.add(who);
                if (who.startsWith("member:")) {
                    members.add(who);
                }
            }
        } else if (observation instanceof DoorCrossing c) {
            onTick(c.at(), out);
        } else if (observation instanceof DoorCounts c) {
            onTick(c.at(), out);
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
            if (!phones.isEmpty() || doors.counting()) {
                out.emit(EventCatalogue.STORE_OCCUPANCY, "occupancy", DataClass.ANONYMOUS, new Occupancy(closed, bucket.endOf(closed),
                        doors.counting() ? doors.occupancy() : null, phones.size() < k ? null : phones.size(),
                        members.size() < k ? null : members.size(), k));
            }
            phones.clear();
            members.clear();
        }
    }
}
