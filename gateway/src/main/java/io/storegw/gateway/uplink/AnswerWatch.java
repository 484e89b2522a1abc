package io.storegw.gateway.uplink;

import java.time.Duration;

/**
 * Notices central's broker taking events and acknowledging none, one connection long. Such a broker still answers
 * PINGREQs, so the keep-alive never ends the connection, and the window would stay full for ever: events in
 * flight with no PUBACK for {@value #KEEP_ALIVES} keep-alives end the connection, and the next one sends them
 * again. A slow link is not mistaken for it: a row that takes longer than a keep-alive to send loses its
 * connection to the keep-alive first, and {@link SlowLink} stretches the keep-alive, and this wait with it.
 */
final class AnswerWatch {

    static final int KEEP_ALIVES = 4;

    private final long limitNanos;
    private long answers = -1;
    private long sinceNanos;

    AnswerWatch(Duration keepAlive) {
        this.limitNanos = keepAlive.multipliedBy(KEEP_ALIVES).toNanos();
    }

    /**
     * Called often while connected, with the events in flight and the PUBACKs so far on this connection: the
     * reason to end it, or null.
     */
    String check(int inFlight, long answers, long nowNanos) {
        if (inFlight == 0 || answers != this.answers) {
            this.answers = answers;
            sinceNanos = nowNanos;
            return null;
        }
        long waited = nowNanos - sinceNanos;
        if (waited < limitNanos) {
            return null;
        }
        return "central's broker acknowledged none of " + inFlight + " events in flight for " + Duration.ofNanos(waited).toSeconds()
                + " s, though it answered the keep-alive: connecting again to send them again";
    }
}
