package io.storegw.gateway.store;

import java.time.Instant;

/**
 * The data of {@code store.footfall}: door crossings in one time bucket.
 *
 * @param occupancy people inside at the end of the bucket, by the door counters (never below zero)
 */
public record Footfall(Instant bucketStart, Instant bucketEnd, long in, long out, long occupancy) {
}
