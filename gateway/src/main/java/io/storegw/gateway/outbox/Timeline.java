package io.storegw.gateway.outbox;

import java.time.Clock;
import java.util.function.LongSupplier;

/**
 * The outbox's own time: the wall clock less every step it was set by while the gateway ran, so that TTLs,
 * the idempotency window and the outbox's timers count time that passed, not time the clock was set by.
 *
 * <p>Why: a Pi has no battery-backed clock. It boots at the time it last saved (its last shutdown, or weeks
 * ago for one that sat in a box) and NTP steps it forward on its first sync, which the store's firewall may
 * hold back for days. Rows queued before that step had their expiry set by the old clock: on the wall clock
 * alone, a step of 8 days expired every queued {@code normal} event at once, and the MQTT expiry of what
 * was still sent came out at one second.
 *
 * <p>A step is told from the monotonic clock, which NTP slews with the wall clock but never steps: their
 * difference changes only when the wall clock is set (or while a system is suspended, when the monotonic clock
 * stops: an appliance does not suspend). Steps while the gateway was not running cannot be seen. The sum of the
 * steps (the offset) is kept in the outbox file, because rows keep the times they were written with across
 * restarts. Stored times are {@code wall - offset} at writing; {@link #toWall} gives them back on today's clock.
 */
final class Timeline {

    /** Smaller differences are left alone: reading the two clocks is not atomic, and NTP slews small errors. */
    static final long STEP_MILLIS = 1_000;
    /** Two monotonic reads around a wall-clock read this far apart: the thread paused, so read again. */
    private static final long TORN_NANOS = 100_000_000;

    private final Clock wall;
    private final LongSupplier monotonicNanos;
    /** Wall minus monotonic (ms) after the last step seen. */
    private long wallLessMonotonic;
    private volatile long offset;

    Timeline(Clock wall, LongSupplier monotonicNanos, long offset) {
        this.wall = wall;
        this.monotonicNanos = monotonicNanos;
        this.offset = offset;
        this.wallLessMonotonic = difference();
    }

    /** Looks for a step since the last look; returns it (ms, negative when set back; 0 for none) and counts it in. Committer only. */
    long step() {
        long step = difference() - wallLessMonotonic;
        if (Math.abs(step) < STEP_MILLIS) {
            return 0;
        }
        wallLessMonotonic += step;
        offset += step;
        return step;
    }

    /** Now on the outbox's time (epoch ms). Any thread. */
    long now() {
        return wall.millis() - offset;
    }

    /** The steps counted so far (ms), to keep with the rows. */
    long offset() {
        return offset;
    }

    /** A stored time on today's wall clock; 0 (none) stays 0. */
    long toWall(long stored) {
        return stored == 0 ? 0 : stored + offset;
    }

    /**
     * Wall minus monotonic (ms), with the wall clock read between two monotonic reads, again when those are far
     * apart: a thread paused between its reads (an overloaded Pi; a test clock moved meanwhile, which CI's log once
     * showed as a "clock set back by 1 s" and forward again 18 ms later) would see a step that never was.
     */
    private long difference() {
        for (int tries = 1; ; tries++) {
            long before = monotonicNanos.getAsLong();
            long wallMillis = wall.millis();
            long after = monotonicNanos.getAsLong();
            if (after - before < TORN_NANOS || tries == 3) {
                return wallMillis - (before + (after - before) / 2) / 1_000_000;
            }
        }
    }
}
