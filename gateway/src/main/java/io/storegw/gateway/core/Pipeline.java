package io.storegw.gateway.core;

import io.storegw.drivers.observation.Observation;
import io.storegw.gateway.event.Event;
import io.storegw.gateway.event.EventIds;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The handlers of the core, in order, and the events they make. Single-threaded and free of I/O, so
 * tests drive it directly with their own clock.
 */
public final class Pipeline {

    private final List<ObservationHandler> handlers;
    private final Clock clock;
    private final List<Event> out = new ArrayList<>();
    private final Emitter emitter;

    public Pipeline(List<ObservationHandler> handlers, EventIds ids, Clock clock) {
        this.handlers = List.copyOf(handlers);
        this.clock = clock;
        this.emitter = (type, subject, dataClass, data) ->
                out.add(new Event(ids.next(), type, clock.instant(), subject, dataClass, data));
    }

    /** Runs one observation through every handler; returns the events it caused. */
    public List<Event> process(Observation observation) {
        out.clear();
        for (ObservationHandler h : handlers) {
            h.onObservation(observation, emitter);
        }
        return List.copyOf(out);
    }

    /** Lets every handler look at the time; returns the events that caused (closed buckets, timeouts). */
    public List<Event> tick() {
        out.clear();
        var now = clock.instant();
        for (ObservationHandler h : handlers) {
            h.onTick(now, emitter);
        }
        return List.copyOf(out);
    }

    Clock clock() {
        return clock;
    }
}
