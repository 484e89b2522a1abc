package io.storegw.gateway.uplink;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The times central's broker handed this gateway's session to another client with the same client id (its
 * DISCONNECT says 142, session taken over). A restart of this gateway never sees one (the old process is gone), so
 * several are another gateway with this one's identity, as a cloned SD card makes: each connect throws the other
 * off, and both forward events under the same source and sequence numbers, which central cannot tell apart.
 */
final class SessionTakeovers {

    static final int CODE = 0x8E;
    static final Duration WINDOW = Duration.ofMinutes(10);
    private static final int TO_REPORT = 2;

    private final ArrayDeque<Long> times = new ArrayDeque<>();

    synchronized void takenOver(long now) {
        times.addLast(now);
        trim(now);
    }

    /** Whether any came within {@link #WINDOW}: the backoff is then not reset, so two such gateways fight less often. */
    synchronized boolean lately(long now) {
        trim(now);
        return !times.isEmpty();
    }

    /** What to tell the technician, or null. */
    synchronized String problem(long now, String clientId) {
        trim(now);
        return times.size() < TO_REPORT ? null : "another client connects to central's broker as " + clientId + ": the broker handed"
                + " this gateway's session over to it " + times.size() + " times in " + WINDOW.toMinutes() + " min. A cloned gateway?"
                + " Each needs its own identity (storegw init), or central cannot tell their events apart";
    }

    private void trim(long now) {
        while (!times.isEmpty() && Elapsed.over(times.peekFirst(), now, WINDOW.toMillis() + 1)) {
            times.pollFirst();
        }
    }
}
