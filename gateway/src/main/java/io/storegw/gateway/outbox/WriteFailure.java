package io.storegw.gateway.outbox;

import io.storegw.drivers.Errors;
import java.time.Instant;

/**
 * A spell of commits that could not be written (a full disk, a failing card), from its first failed commit until
 * commits have held for {@value #OVER_AFTER_MILLIS} ms: what it refused, for a log line a minute instead of one
 * per failed commit, for the health check, and for the one alarm that tells central once it is over.
 *
 * <p>Why a quiet time and not the first commit that holds: on a full disk small commits (deletions, an alarm)
 * still fit in the file's free space while larger ones fail, so commits alternate, and every till re-sending
 * its sale would otherwise start a spell, and an alarm, of its own.
 */
final class WriteFailure {

    /** A spell is over once no commit has failed for this long. */
    static final long OVER_AFTER_MILLIS = 30_000;
    /** How often a spell that goes on is logged again. */
    private static final long LOG_EVERY_MILLIS = 60_000;

    private final long sinceMillis;
    private final String cause;
    private long lastMillis;
    private long commits;
    private long appends;
    private long events;
    private int inARow;
    private long loggedMillis;

    WriteFailure(long nowMillis, Throwable cause) {
        this.sinceMillis = nowMillis;
        this.lastMillis = nowMillis;
        this.loggedMillis = nowMillis;
        this.cause = Errors.describe(cause);
    }

    /** A commit of {@code appends} appends holding {@code events} events failed; true when it is time to log the spell again. */
    boolean failed(int appends, int events, long nowMillis) {
        this.appends += appends;
        this.events += events;
        commits++;
        inARow++;
        lastMillis = nowMillis;
        if (nowMillis - loggedMillis < LOG_EVERY_MILLIS) {
            return false;
        }
        loggedMillis = nowMillis;
        return true;
    }

    /** A commit held. */
    void held() {
        inARow = 0;
    }

    /** Commits that failed in a row, up to now. */
    int inARow() {
        return inARow;
    }

    /** Whether only one commit has failed so far. */
    boolean first() {
        return commits == 1;
    }

    boolean over(long nowMillis) {
        return nowMillis - lastMillis >= OVER_AFTER_MILLIS;
    }

    /** For the health check while the spell lasts. */
    String problem(long nowMillis) {
        return "outbox could not write " + (nowMillis - lastMillis) / 1000 + " s ago (" + cause + "); " + commits
                + " commits failed since " + Instant.ofEpochMilli(sinceMillis);
    }

    /** For the log. */
    String summary() {
        return "commits failed from " + Instant.ofEpochMilli(sinceMillis) + " to " + Instant.ofEpochMilli(lastMillis) + " ("
                + cause + "): " + commits + " of them, refusing " + appends + " appends of " + events + " events";
    }

    /** The {@code gateway.alarm} for central, in the commit that finds the spell over. */
    Alarm alarm(String file) {
        return new Alarm("outbox.unwritable", "The outbox could not write: " + summary() + ". Tills and spool files were"
                + " told to send again; events made from readings in that time (counts, presence, device readings) are"
                + " missing. Every event committed before is kept.", file, null);
    }
}
