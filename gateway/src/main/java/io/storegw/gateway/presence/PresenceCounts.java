package io.storegw.gateway.presence;

import java.time.Instant;
import java.util.List;

/**
 * The data of {@code presence.counts}: distinct app devices heard per receiver in one bucket.
 *
 * @param k the suppression threshold: a count below it is published as null with {@code suppressed} true
 */
public record PresenceCounts(Instant bucketStart, Instant bucketEnd, int k, List<Receiver> receivers) {

    /** One receiver's count; {@code devices} is null when suppressed. */
    public record Receiver(String receiver, Integer devices, boolean suppressed) {
    }
}
