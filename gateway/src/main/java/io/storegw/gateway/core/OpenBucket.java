package io.storegw.gateway.core;

import java.time.Instant;

/** The time bucket a handler is filling, and the moment time moves past it. Core thread only. */
public final class OpenBucket {

    private final TimeBuckets buckets;
    private Instant start;
    private long startMillis;
    /** When the open bucket ends (epoch ms): every handler asks at every observation, so the answer "not yet" costs a compare. */
    private long endMillis = Long.MIN_VALUE;

    public OpenBucket(TimeBuckets buckets) {
        this.buckets = buckets;
    }

    /**
     * When {@code now} lies beyond the open bucket, opens the current one and returns the start of the
     * one just closed; otherwise null. Late observations (before the open bucket) count in the open one.
     */
    public Instant closeIfPast(Instant now) {
        long millis = now.toEpochMilli();
        if (millis < endMillis) {
            return null;
        }
        Instant current = buckets.startOf(now);
        Instant closed = start;
        start = current;
        startMillis = current.toEpochMilli();
        endMillis = buckets.next(current).toEpochMilli();
        return closed;
    }

    /**
     * The clock was set back to {@code now}: when that is before the open bucket, the next instant closes it,
     * which would otherwise stay open until the clock came round again (a day set back, a day without counts).
     */
    public void clockSetBack(Instant now) {
        if (now.toEpochMilli() < startMillis) {
            endMillis = Long.MIN_VALUE;
        }
    }

    /** The end of the bucket starting at {@code start}. */
    public Instant endOf(Instant start) {
        return buckets.next(start);
    }
}
