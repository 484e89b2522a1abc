package io.storegw.gateway.uplink;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays: exponential from {@code base}, capped, with full jitter, so a fleet of gateways
 * does not reconnect to a recovering broker in lock-step.
 */
public final class Backoff {

    private final long baseMillis;
    private final long capMillis;
    private final RandomGenerator random;
    private int attempt;

    public Backoff(Duration base, Duration cap, RandomGenerator random) {
        this.baseMillis = base.toMillis();
        this.capMillis = cap.toMillis();
        this.random = random;
    }

    /** The delay before the next attempt: uniform in [0, min(cap, base * 2^attempt)]. */
    public long nextDelayMillis() {
        long ceiling = attempt >= 30 ? capMillis : Math.min(capMillis, baseMillis << attempt);
        attempt++;
        return random.nextLong(ceiling + 1);
    }

    /** After a good connection: start again from {@code base}. */
    public void reset() {
        attempt = 0;
    }
}
