package io.storegw.gateway.health;

import io.storegw.drivers.observation.Observation;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/** Publishes {@code gateway.telemetry} at a fixed interval (bulk: the first thing shed when space runs short). */
public final class TelemetryHandler implements ObservationHandler {

    private final Duration interval;
    private final Supplier<Telemetry> reading;
    private Instant next;

    public TelemetryHandler(Duration interval, Supplier<Telemetry> reading) {
        this.interval = interval;
        this.reading = reading;
    }

    @Override
    public void onObservation(Observation observation, Emitter out) {
        // Telemetry follows the clock, not the store.
    }

    @Override
    public void onClockSetBack(Instant now) {
        next = now.plus(interval);
    }

    @Override
    public void onTick(Instant now, Emitter out) {
        if (next == null) {
            next = now.plus(interval);
        } else if (!now.isBefore(next)) {
            out.emit(EventCatalogue.GATEWAY_TELEMETRY, "gateway", DataClass.ANONYMOUS, reading.get());
            next = now.plus(interval);
        }
    }
}
