package io.storegw.gateway.core;

import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.metrics.Refusals;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the sources refused (malformed, unauthorised, too large): counted by source and reason for {@code /metrics},
 * and by source with the last one's reason for {@code storegw status}, and logged within limits. A device mapping
 * that refuses every message otherwise looked healthy everywhere a technician looks.
 */
public final class RefusedInput {

    private static final Refusals.Tally NONE = new Refusals.Tally(0, null, null);

    private final Metrics metrics;
    private final Clock clock;
    private final Map<String, Refusals> bySource = new ConcurrentHashMap<>();

    RefusedInput(Metrics metrics, Clock clock) {
        this.metrics = metrics;
        this.clock = clock;
    }

    void refused(String source, String reason, String detail) {
        metrics.counter("storegw_bad_input_total", "Inputs a source refused (and answered), by source and reason",
                "source", source, "reason", reason).increment();
        bySource.computeIfAbsent(source, name -> new Refusals(clock, "Source " + name + " refused", "inputs"))
                .refused(reason, detail, "Source " + source + " refused an input (" + reason + "): " + detail);
    }

    /** The source's refusals since the start; a count of 0 and no last when it refused none. */
    public Refusals.Tally of(String source) {
        Refusals s = bySource.get(source);
        return s == null ? NONE : s.tally();
    }
}
