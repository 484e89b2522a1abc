package io.storegw.gateway.metrics;

import java.time.Duration;

/**
 * How often one kind of warning reaches the journal: one by one up to a limit, then as one summary a minute at most,
 * so a flood (a hostile till, a device mapping that refuses every message) cannot fill the SD card with one line.
 */
public final class LogLimit {

    /** What to log for one more occurrence: it alone, or a summary of {@code count} over the last {@code seconds}. */
    public record Line(boolean summary, long count, long seconds) {
    }

    private final int oneByOne;
    private final long summaryNanos;
    private long count;
    private long loggedCount;
    private long loggedAt;

    public LogLimit(int oneByOne, Duration summaryEvery) {
        this.oneByOne = oneByOne;
        this.summaryNanos = summaryEvery.toNanos();
    }

    /** One more at {@code nanos} (monotonic): the line to log, or null to stay quiet. */
    public synchronized Line next(long nanos) {
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
