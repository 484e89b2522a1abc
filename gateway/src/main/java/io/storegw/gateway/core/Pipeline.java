package io.storegw.gateway.core;

import io.storegw.drivers.observation.Observation;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.Event;
import io.storegw.gateway.event.EventType;
import io.storegw.gateway.event.EventIds;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The handlers of the core, in order, and the events they make. Single-threaded and free of I/O, so
 * tests drive it directly with their own clock.
 */
public final class Pipeline {

    /** A tick earlier than the last by more than this means the clock was set back. */
    private static final Duration SET_BACK = Duration.ofSeconds(1);

    private final List<ObservationHandler> handlers;
    private final Clock clock;
    private Instant lastTick;
    private final List<Event> out = new ArrayList<>();
    private final Map<String, Object> saved = new LinkedHashMap<>();
    private final Emitter emitter;

    /**
     * What one step made: events, and handler state to keep with them (a null value forgets a key).
     * Both go to the outbox in one transaction.
     */
    public record Step(List<Event> events, Map<String, Object> saved) {
        public boolean isEmpty() {
            return events.isEmpty() && saved.isEmpty();
        }
    }

    public Pipeline(List<ObservationHandler> handlers, EventIds ids, Clock clock) {
        this.handlers = List.copyOf(handlers);
        this.clock = clock;
        this.emitter = new Emitter() {
            @Override
            public void emit(EventType type, String subject, DataClass dataClass, Object data) {
                out.add(new Event(ids.next(), type, clock.instant(), subject, dataClass, data));
            }

            @Override
            public void emitAbout(String member, EventType type, String subject, Object data) {
                out.add(new Event(ids.next(), type, clock.instant(), subject, DataClass.PSEUDONYMOUS, data, member));
            }

            @Override
            public void save(String key, Object state) {
                saved.put(key, state);
            }
        };
    }

    /** Runs one observation through every handler; returns the events and the state it caused. */
    public Step process(Observation observation) {
        out.clear();
        saved.clear();
        for (ObservationHandler h : handlers) {
            h.onObservation(observation, emitter);
        }
        return step();
    }

    /** Gives every handler an instruction; returns the events and state it caused. */
    public Step apply(Instruction instruction) {
        out.clear();
        saved.clear();
        for (ObservationHandler h : handlers) {
            h.onInstruction(instruction, emitter);
        }
        return step();
    }

    /** Lets every handler look at the time; returns the events and state that caused (closed buckets, timeouts). */
    public Step tick() {
        out.clear();
        saved.clear();
        var now = clock.instant();
        // Ticks come from the clock, never from a source's observations, so one before the last is the clock set back.
        if (lastTick != null && now.isBefore(lastTick.minus(SET_BACK))) {
            for (ObservationHandler h : handlers) {
                h.onClockSetBack(now);
            }
        }
        lastTick = now;
        for (ObservationHandler h : handlers) {
            h.onTick(now, emitter);
        }
        return step();
    }

    private Step step() {
        return new Step(List.copyOf(out), saved.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(saved)));
    }

    Clock clock() {
        return clock;
    }
}
