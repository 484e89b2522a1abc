package io.storegw.gateway.devices;

import io.storegw.drivers.gpio.Blink;
import io.storegw.drivers.gpio.GpioOutput;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The status light on the box, for the person standing next to it: a fault anywhere wins, then the
 * uplink being down, then a backlog growing, else all is well. Updated once a second.
 */
public final class StatusLight {

    /** What the light shows. */
    public enum State { OK, BACKLOG, UPLINK_DOWN, FAULT }

    /** The pattern of each state. */
    public record Patterns(Blink ok, Blink backlog, Blink uplinkDown, Blink fault) {
        Blink of(State s) {
            return switch (s) {
                case OK -> ok;
                case BACKLOG -> backlog;
                case UPLINK_DOWN -> uplinkDown;
                case FAULT -> fault;
            };
        }
    }

    /** Backlog is growing when the outbox holds more rows than this long ago (and more than a handful). */
    static final Duration BACKLOG_WINDOW = Duration.ofSeconds(30);
    static final long BACKLOG_FLOOR = 50;

    private record Sample(Instant at, long rows) {
    }

    private final GpioOutput light;
    private final Patterns patterns;
    private final Supplier<String> faults;
    private final BooleanSupplier connected;
    private final LongSupplier rows;
    private final Deque<Sample> history = new ArrayDeque<>();

    /**
     * @param faults    every problem but the uplink's, or null when there is none
     * @param connected whether the uplink is connected
     * @param rows      events waiting in the outbox
     */
    public StatusLight(GpioOutput light, Patterns patterns, Supplier<String> faults, BooleanSupplier connected, LongSupplier rows) {
        this.light = light;
        this.patterns = patterns;
        this.faults = faults;
        this.connected = connected;
        this.rows = rows;
    }

    /** Samples the gateway and shows the pattern of its state; returns the state. */
    public State update(Instant now) {
        long r = rows.getAsLong();
        history.addLast(new Sample(now, r));
        while (history.size() > 1 && Duration.between(history.peekFirst().at(), now).compareTo(BACKLOG_WINDOW) > 0) {
            history.removeFirst();
        }
        State s = state(faults.get() != null, connected.getAsBoolean(), history.peekFirst().rows(), r);
        light.show(patterns.of(s));
        return s;
    }

    static State state(boolean fault, boolean connected, long rowsBefore, long rowsNow) {
        if (fault) {
            return State.FAULT;
        }
        if (!connected) {
            return State.UPLINK_DOWN;
        }
        return rowsNow > BACKLOG_FLOOR && rowsNow > rowsBefore ? State.BACKLOG : State.OK;
    }
}
