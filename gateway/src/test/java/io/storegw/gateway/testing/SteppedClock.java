package io.storegw.gateway.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The system clock, set by steps a test makes as NTP sets a Pi's clock, while time passes and the monotonic
 * clock ({@link System#nanoTime}) runs on untouched. Thread-safe.
 */
public final class SteppedClock extends Clock {

    private volatile long offsetMillis;

    /** Sets the clock by {@code d} (negative: back). */
    public void step(Duration d) {
        offsetMillis += d.toMillis();
    }

    @Override
    public long millis() {
        return System.currentTimeMillis() + offsetMillis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("tests run in UTC");
    }
}
