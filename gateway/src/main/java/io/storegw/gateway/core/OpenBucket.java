package io.storegw.gateway.core;

import java.time.Instant;

/** The time bucket a handler is filling, and the moment time moves past it. Core thread only. */
public final class OpenBucket {

    /** Further before the open bucket than this, an instant means the clock was set back: observations come seconds late, not an hour. */
    private static final long SET_BACK_MILLIS = 3_600_000;

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
     * one just closed; otherwise null. Late observations (before the open bucket) count in the open one, unless
     * they are over an hour before it: then the clock was set back, and the open bucket would otherwise stay
     * open until the clock came round again.
     */
    public Instant closeIfPast(Instant now) {
        long millis = now.toEpochMilli();
        if (millis < endMillis && millis >= startMillis - SET_BACK_MILLIS) {
            return null;
        }
        Instant current = buckets.startOf(now);
        Instant closed = start;
        start = current;
        startMillis = current.toEpochMilli();
        endMillis = buckets.next(current).toEpochMilli();
        return closed;
    }

    /** The end of the bucket starting at {@code start}. */
    public Instant endOf(Instant start) {
        return buckets.next(start);
    }
}
