package io.storegw.gateway.core;

import io.storegw.gateway.metrics.LogLimit;
import io.storegw.gateway.metrics.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the sources refused (malformed, unauthorised, too large): counted by source and reason for {@code /metrics},
 * and by source with the last one's reason for {@code storegw status}, and logged within limits. A device mapping
 * that refuses every message otherwise looked healthy everywhere a technician looks.
 */
public final class RefusedInput {

    /** A source's refusals since the start, and the last one with its time. */
    public record Tally(long count, String last) {
    }

    private final Metrics metrics;
    private final Clock clock;
    private final Map<String, PerSource> bySource = new ConcurrentHashMap<>();

    RefusedInput(Metrics metrics, Clock clock) {
        this.metrics = metrics;
        this.clock = clock;
    }

    void refused(String source, String reason, String detail) {
        metrics.counter("storegw_bad_input_total", "Inputs a source refused (and answered), by source and reason",
                "source", source, "reason", reason).increment();
        PerSource s = bySource.computeIfAbsent(source, name -> new PerSource());
        s.count.increment();
        s.last = clock.instant().truncatedTo(ChronoUnit.SECONDS) + " " + detail;
        s.logged.warn("Source " + source + " refused an input (" + reason + "): " + detail, "Source " + source + " refused", "inputs",
                "(" + reason + ") " + detail);
    }

    /** The source's refusals since the start; a count of 0 and no last when it refused none. */
    public Tally of(String source) {
        PerSource s = bySource.get(source);
        return s == null ? new Tally(0, null) : new Tally(s.count.sum(), s.last);
    }

    private static final class PerSource {
        final LongAdder count = new LongAdder();
        final LogLimit logged = new LogLimit(10, Duration.ofMinutes(1));
        volatile String last;
    }
}
