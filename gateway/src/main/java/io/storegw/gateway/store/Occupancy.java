package io.storegw.gateway.store;

import java.time.Instant;

/**
 * The data of {@code store.occupancy}: how full the store was in one time bucket, by the door
 * counters and by the radios, side by side so central can calibrate one by the other.
 *
 * @param inside  people inside at the end of the bucket by the door counters, or null when none has counted
 * @param phones  distinct phones (members' and anonymous) heard in the store in the bucket; null below k
 * @param members distinct registered members among them; null below k
 */
public record Occupancy(Instant bucketStart, Instant bucketEnd, Long inside, Integer phones, Integer members, int k) {
}
