package io.storegw.gateway.core;

import java.time.Instant;

/** The time bucket a handler is filling, and the moment time moves past it. Core thread only. */
public final class OpenBucket {

    private final TimeBuckets buckets;
    private Instant start;

    public OpenBucket(TimeBuckets buckets) {
        this.buckets = buckets;
    }

    /**
     * When {@code now} lies beyond the open bucket, opens the current one and returns the start of the
     * one just closed; otherwise null. Late observations (before the open bucket) count in the open one.
     */
    public Instant closeIfPast(Instant now) {
        Instant current = buckets.startOf(now);
        if (start == null) {
            start = current;
            return null;
        }
        if (!current.isAfter(start)) {
            return null;
        }
        Instant closed = start;
        start = current;
        return closed;
    }

    /** The end of the bucket starting at {@code start}. */
    public Instant endOf(Instant start) {
        return buckets.next(start);
    }
}
