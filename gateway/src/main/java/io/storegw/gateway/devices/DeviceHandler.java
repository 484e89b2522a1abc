package io.storegw.gateway.devices;

import io.storegw.drivers.observation.DeviceReading;
import io.storegw.drivers.observation.DeviceStatus;
import io.storegw.drivers.observation.Observation;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Publishes what store devices measure ({@code device.reading}), their comings and goings
 * ({@code device.status}), and their faults ({@code device.fault}: critical, for someone to go and look).
 */
public final class DeviceHandler implements ObservationHandler {

    /** The data of {@code device.reading}. */
    public record Reading(String device, String kind, Instant at, List<Value> values) {
    }

    /** One quantity, its exact value and its unit (null for counts and states). */
    public record Value(String quantity, BigDecimal value, String unit) {
    }

    /** The data of {@code device.status}. */
    public record Status(String device, String state, String reason, Instant at) {
    }

    /** The data of {@code device.fault}. */
    public record Fault(String device, String fault, Instant at) {
    }

    @Override
    public void onObservation(Observation observation, Emitter out) {
        if (observation instanceof DeviceReading r) {
            out.emit(EventCatalogue.DEVICE_READING, "device/" + r.deviceId(), DataClass.ANONYMOUS, new Reading(r.deviceId(), r.kind(),
                    r.at(), r.values().stream().map(v -> new Value(v.quantity(), v.value(), v.unit())).toList()));
        } else if (observation instanceof DeviceStatus s && s.state() == DeviceStatus.State.FAULT) {
            out.emit(EventCatalogue.DEVICE_FAULT, "device/" + s.deviceId(), DataClass.ANONYMOUS, new Fault(s.deviceId(), s.reason(), s.at()));
        } else if (observation instanceof DeviceStatus s) {
            out.emit(EventCatalogue.DEVICE_STATUS, "device/" + s.deviceId(), DataClass.ANONYMOUS,
                    new Status(s.deviceId(), s.state().name().toLowerCase(Locale.ROOT), s.reason(), s.at()));
        }
    }
}
