package io.storegw.gateway.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock tests move by hand, so timers and TTLs run without sleeping. Thread-safe. Time that passes
 * ({@link #advance}, {@link #set}) moves its monotonic clock ({@link #nanos}) too; a step ({@link #step}) moves
 * the wall clock alone, as NTP setting a Pi's clock does.
 */
public final class MutableClock extends Clock {

    private volatile Instant now;
    private volatile long nanos;

    public MutableClock(Instant start) {
        this.now = start;
    }

    public synchronized void advance(Duration d) {
        now = now.plus(d);
        nanos += d.toNanos();
    }

    /** Moves the clock to {@code instant}, as time passing (forward, in the tests that use it). */
    public synchronized void set(Instant instant) {
        advance(Duration.between(now, instant));
    }

    /** Sets the wall clock by {@code d} (negative: back) while no time passes. */
    public synchronized void step(Duration d) {
        now = now.plus(d);
    }

    /** The monotonic clock that goes with it, for {@link System#nanoTime()}. */
    public long nanos() {
        return nanos;
    }

    @Override
    public Instant instant() {
        return now;
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
