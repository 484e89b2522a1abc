package io.storegw.gateway.uplink;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What to say of failed connects to a broker through an outage: a new reason at once, one said already only every
 * {@link #REPEAT}, with how long the outage has lasted and how many attempts failed, so a weekend without WAN (or a
 * store broker that is not there) leaves a few lines in the journal rather than one per backoff step, also when two
 * reasons take turns (a flaky DNS and a dark link).
 */
public final class OutageLog {

    static final Duration REPEAT = Duration.ofMinutes(15);
    /** Reasons remembered per outage; past these the one not seen longest is forgotten (and said again if it comes). */
    private static final int REASONS = 16;

    /** The reasons said in this outage, with when each was last said, the one seen longest ago first. */
    private final Map<String, Long> said = new LinkedHashMap<>(REASONS, 0.75f, true);
    private long since;
    private int failed;

    /** A connect failed for {@code why} at {@code now} (wall-clock millis): the line to log, or null to keep quiet. */
    public synchronized String connectFailed(String why, long now) {
        if (failed == 0) {
            since = now;
        }
        failed++;
        Long saidAt = said.get(why);
        if (saidAt != null && !Elapsed.over(saidAt, now, REPEAT.toMillis())) {
            return null;
        }
        said.put(why, now);
        if (said.size() > REASONS) {
            said.remove(said.keySet().iterator().next());
        }
        return saidAt == null ? why : why + " (failing for " + minutes(now - since) + ", " + failed + " attempts)";
    }

    /** Connected at {@code now}: what to add to the connect line about the failed attempts before it ("" for none). */
    public synchronized String connected(long now) {
        String note = failed == 0 ? ""
                : ", after " + failed + (failed == 1 ? " failed attempt" : " failed attempts") + " in " + minutes(now - since);
        said.clear();
        failed = 0;
        return note;
    }

    private static String minutes(long millis) {
        long m = Math.max(0, millis) / 60_000;
        return m < 1 ? "under a minute" : m < 120 ? m + " min" : m / 60 + " h " + m % 60 + " min";
    }
}
