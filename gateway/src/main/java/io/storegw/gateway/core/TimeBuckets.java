package io.storegw.gateway.core;

import java.time.Duration;
import java.time.Instant;

/** Fixed-width time buckets aligned to the epoch, so every gateway cuts the day at the same instants. */
public record TimeBuckets(Duration width) {

    /** The start of the bucket that holds {@code t}. */
    public Instant startOf(Instant t) {
        long w = width.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), w) * w);
    }

    /** The start of the bucket after the one starting at {@code start}. */
    public Instant next(Instant start) {
        return start.plus(width);
    }
}
