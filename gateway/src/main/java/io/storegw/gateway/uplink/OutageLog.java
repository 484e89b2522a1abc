package io.storegw.gateway.uplink;

import java.time.Duration;

/**
 * What to say of failed connects to a broker through an outage: a new reason at once, the same one again only every
 * {@link #REPEAT}, with how long it has lasted and how many attempts failed, so a weekend without WAN (or a store
 * broker that is not there) leaves a few lines in the journal rather than one per backoff step.
 */
public final class OutageLog {

    static final Duration REPEAT = Duration.ofMinutes(15);

    private String reason;
    private long loggedAt;
    private long since;
    private int failed;

    /** A connect failed for {@code why} at {@code now} (wall-clock millis): the line to log, or null to keep quiet. */
    public synchronized String connectFailed(String why, long now) {
        if (failed == 0) {
            since = now;
        }
        failed++;
        if (why.equals(reason) && !Elapsed.over(loggedAt, now, REPEAT.toMillis())) {
            return null;
        }
        String line = why.equals(reason) ? why + " (failing for " + minutes(now - since) + ", " + failed + " attempts)" : why;
        reason = why;
        loggedAt = now;
        return line;
    }

    /** Connected at {@code now}: what to add to the connect line about the failed attempts before it ("" for none). */
    public synchronized String connected(long now) {
        String note = failed == 0 ? ""
                : ", after " + failed + (failed == 1 ? " failed attempt" : " failed attempts") + " in " + minutes(now - since);
        reason = null;
        failed = 0;
        return note;
    }

    private static String minutes(long millis) {
        long m = Math.max(0, millis) / 60_000;
        return m < 1 ? "under a minute" : m < 120 ? m + " min" : m / 60 + " h " + m % 60 + " min";
    }
}
