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

    /** Both clocks in one field, so a reader never sees one moved and the other not. */
    private record Time(Instant wall, long nanos) {
    }

    private volatile Time time;

    public MutableClock(Instant start) {
        this.time = new Time(start, 0);
    }

    public synchronized void advance(Duration d) {
        time = new Time(time.wall().plus(d), time.nanos() + d.toNanos());
    }

    /** Moves the clock to {@code instant}, as time passing (forward, in the tests that use it). */
    public synchronized void set(Instant instant) {
        advance(Duration.between(time.wall(), instant));
    }

    /** Sets the wall clock by {@code d} (negative: back) while no time passes. */
    public synchronized void step(Duration d) {
        time = new Time(time.wall().plus(d), time.nanos());
    }

    /** The monotonic clock that goes with it, for {@link System#nanoTime()}. */
    public long nanos() {
        return time.nanos();
    }

    @Override
    public Instant instant() {
        return time.wall();
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
