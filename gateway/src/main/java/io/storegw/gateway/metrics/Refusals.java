package io.storegw.gateway.metrics;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.tinylog.Logger;

/**
 * One kind of refusal since the start (inputs a source refused, events or answers central's broker refused, central's
 * commands not taken): how many, the last one with its time and reason for {@code storegw status} and {@code doctor},
 * and the journal's lines, within a {@link LogLimit} per reason so a flood of one reason neither fills the SD card
 * nor hides another.
 */
public final class Refusals {

    /** How many since the start, and the last one's reason and line with its time (both null before the first). */
    public record Tally(long count, String reason, String last) {
    }

    private final Clock clock;
    private final String subject;
    private final String noun;
    private final LongAdder count = new LongAdder();
    /** Keyed by the callers' reasons, a few fixed words or MQTT reason codes: bounded. */
    private final Map<String, LogLimit> logged = new ConcurrentHashMap<>();
    private volatile Last last = new Last(null, null);

    private record Last(String reason, String line) {
    }

    /** A summary line reads "{@code subject} N more {@code noun} (reason) in the last S s; the last: ...". */
    public Refusals(Clock clock, String subject, String noun) {
        this.clock = clock;
        this.subject = subject;
        this.noun = noun;
    }

    /**
     * Counts one refused for {@code reason}, keeps {@code what} as the last, and logs {@code line} at WARN within the
     * limit (the summary ends with {@code what}); a null {@code line} for one logged where it happened.
     */
    public void refused(String reason, String what, String line) {
        String text = refused(System.nanoTime(), reason, what, line);
        if (text != null) {
            Logger.warn(text);
        }
    }

    /** What {@link #refused(String, String, String)} logs for one more at {@code nanos}, or null to stay quiet. */
    String refused(long nanos, String reason, String what, String line) {
        count.increment();
        last = new Last(reason, clock.instant().truncatedTo(ChronoUnit.SECONDS) + " " + what);
        return line == null ? null
                : logged.computeIfAbsent(reason, r -> new LogLimit(10, Duration.ofMinutes(1))).text(nanos, line, subject, noun + " (" + reason + ")", what);
    }

    /** The count since the start with the last one. */
    public Tally tally() {
        Last l = last;
        return new Tally(count.sum(), l.reason(), l.line());
    }
}
