package io.storegw.gateway.store;

import io.storegw.drivers.observation.DoorCrossing;
import io.storegw.drivers.observation.Observation;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.core.OpenBucket;
import io.storegw.gateway.core.TimeBuckets;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import java.time.Instant;

/** Counts door crossings per bucket and publishes each closed bucket as {@code store.footfall}. */
public final class FootfallHandler implements ObservationHandler {

    private final OpenBucket bucket;
    private long in;
    private long out;
    private long occupancy;

    public FootfallHandler(TimeBuckets buckets) {
        this.bucket = new OpenBucket(buckets);
    }

    @Override
    public void onObservation(Observation observation, Emitter emitter) {
        if (!(observation instanceof DoorCrossing crossing)) {
            return;
        }
        onTick(crossing.at(), emitter);
        if (crossing.direction() == DoorCrossing.Direction.IN) {
            in++;
            occupancy++;
        } else {
            out++;
            occupancy = Math.max(0, occupancy - 1);
        }
    }

    @Override
    public void onTick(Instant now, Emitter emitter) {
        Instant closed = bucket.closeIfPast(now);
        if (closed != null) {
            emitter.emit(EventCatalogue.STORE_FOOTFALL, "footfall", DataClass.ANONYMOUS,
                    new Footfall(closed, bucket.endOf(closed), in, out, occupancy));
            in = 0;
            out = 0;
        }
    }
}
