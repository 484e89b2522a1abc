package io.storegw.gateway.store;

import io.storegw.drivers.observation.DoorCounts;
import io.storegw.drivers.observation.DoorCrossing;
import io.storegw.drivers.observation.Observation;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.core.OpenBucket;
import io.storegw.gateway.core.TimeBuckets;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import java.time.Instant;

/** Counts door crossings (one by one from beams, or in batches from counters) per bucket and publishes each closed bucket as {@code store.footfall}. */
public final class FootfallHandler implements ObservationHandler {

    private final OpenBucket bucket;
    private final boolean doorCounters;
    private long in;
    private long out;
    private long occupancy;
    private boolean counting;

    /**
     * @param doorCounters whether the gateway has a door counter; without one no bucket is published (until one counts),
     *                     for "in 0, out 0" every minute reads as an empty store, not as a store nobody counts
     */
    public FootfallHandler(TimeBuckets buckets, boolean doorCounters) {
        this.bucket = new OpenBucket(buckets);
        this.doorCounters = doorCounters;
    }

    @Override
    public void onObservation(Observation observation, Emitter emitter) {
        if (observation instanceof DoorCrossing crossing) {
            onTick(crossing.at(), emitter);
            boolean entering = crossing.direction() == DoorCrossing.Direction.IN;
            count(entering ? 1 : 0, entering ? 0 : 1);
        } else if (observation instanceof DoorCounts counts) {
            onTick(counts.at(), emitter);
            count(counts.in(), counts.out());
        }
    }

    /** Whether a door counter has counted anything since the start. */
    public boolean counting() {
        return counting;
    }

    /** People inside now by the door counters (never below zero). */
    public long occupancy() {
        return occupancy;
    }

    private void count(long entered, long left) {
        counting = true;
        in += entered;
        out += left;
        occupancy = Math.max(0, occupancy + entered - left);
    }

    @Override
    public void onClockSetBack(Instant now) {
        bucket.clockSetBack(now);
    }

    @Override
    public void onTick(Instant now, Emitter emitter) {
        Instant closed = bucket.closeIfPast(now);
        if (closed != null && (doorCounters || counting)) {
            emitter.emit(EventCatalogue.STORE_FOOTFALL, "footfall", DataClass.ANONYMOUS,
                    new Footfall(closed, bucket.endOf(closed), in, out, occupancy));
            in = 0;
            out = 0;
        }
    }
}
