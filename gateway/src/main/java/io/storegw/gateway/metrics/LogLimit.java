package io.storegw.gateway.metrics;

import java.time.Duration;

/**
 * How often one kind of warning reaches the journal: one by one up to a limit, then as one summary a minute at most,
 * so a flood (a hostile till, a device mapping that refuses every message) cannot fill the SD card with one line.
 */
final class LogLimit {

    /** What to log for one more occurrence: it alone, or a summary of {@code count} over the last {@code seconds}. */
    record Line(boolean summary, long count, long seconds) {
    }

    private final int oneByOne;
    private final long summaryNanos;
    private long count;
    private long loggedCount;
    private long loggedAt;

    LogLimit(int oneByOne, Duration summaryEvery) {
        this.oneByOne = oneByOne;
        this.summaryNanos = summaryEvery.toNanos();
    }

    /**
     * The line for one more occurrence at {@code nanos}, or null to stay quiet: {@code one} while under the limit, then
     * at most a summary a minute, "{@code subject} N more {@code noun} in the last S s; the last: {@code last}".
     */
    String text(long nanos, String one, String subject, String noun, String last) {
        Line line = next(nanos);
        if (line == null) {
            return null;
        }
        return line.summary() ? subject + " " + line.count() + " more " + noun + " in the last " + line.seconds() + " s; the last: " + last : one;
    }

    /** One more at {@code nanos} (monotonic): the line to log, or null to stay quiet. */
    synchronized Line next(long nanos) {
        count++;
        if (count <= oneByOne) {
            loggedAt = nanos;
            loggedCount = count;
            return new Line(false, 1, 0);
        }
        if (nanos - loggedAt < summaryNanos) {
            return null;
        }
        Line line = new Line(true, count - loggedCount, Duration.ofNanos(nanos - loggedAt).toSeconds());
        loggedAt = nanos;
        loggedCount = count;
        return line;
    }
}
