package io.storegw.gateway.core;

import java.time.Instant;

/** The time bucket a handler is filling, and the moment time moves past it. Core thread only. */
public final class OpenBucket {

    private final TimeBuckets buckets;
    private Instant start;
    private long startMillis;
    /** When the open bucket ends (epoch ms): every handler asks at every observation, so the answer "not yet" costs a compare. */
    private long endMillis = Long.MIN_VALUE;
    /**
     * After the clock was set back by two buckets or more: instants from before the step (at or after this) that
     * are still in flight count in the open bucket instead of moving it back there; 0 for none. A sighting
     * stamped just before the step and handled just after would do that, and the buckets would wait again.
     */
    private long fromBeforeSetBack;

    public OpenBucket(TimeBuckets buckets) {
        this.buckets = buckets;
    }

    /**
     * When {@code now} lies beyond the open bucket, opens the current one and returns the start of the
     * one just closed; otherwise null. Late observations (before the open bucket) count in the open one.
     */
    public Instant closeIfPast(Instant now) {
        long millis = now.toEpochMilli();
        if (millis < endMillis || (fromBeforeSetBack != 0 && millis >= fromBeforeSetBack)) {
            return null;
        }
        Instant current = buckets.startOf(now);
        Instant closed = start;
        start = current;
        startMillis = current.toEpochMilli();
        endMillis = buckets.next(current).toEpochMilli();
        if (fromBeforeSetBack != 0 && endMillis >= fromBeforeSetBack) {
            fromBeforeSetBack = 0; // the clock has come round: what was stamped before the step is long handled
        }
        return closed;
    }

    /**
     * The clock was set back to {@code now}: when that is before the open bucket, the next instant closes it,
     * which would otherwise stay open until the clock came round again (a day set back, a day without counts).
     */
    public void clockSetBack(Instant now) {
        long millis = now.toEpochMilli();
        if (millis < startMillis) {
            endMillis = Long.MIN_VALUE;
            fromBeforeSetBack = startMillis - millis >= 2 * buckets.width().toMillis() ? startMillis : 0;
        }
    }

    /** The end of the bucket starting at {@code start}. */
    public Instant endOf(Instant start) {
        return buckets.next(start);
    }
}
