package io.storegw.drivers.observation;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a store device measured or reported: a shelf's weight, a fridge's temperature, a kiosk touch,
 * a signage play. Values are decimals as the device sent them, each with its unit.
 *
 * @param deviceId the device as the store names it (never a Bluetooth address)
 * @param kind     what sort of device it is ({@code shelf}, {@code fridge}, {@code kiosk}, ...), from config
 */
public record DeviceReading(Instant at, String deviceId, String kind, List<Value> values) implements Observation {

    /** One measured quantity; {@code unit} is null for counts and states. */
    public record Value(String quantity, BigDecimal value, String unit) {
        public Value {
            Objects.requireNonNull(quantity, "quantity");
            Objects.requireNonNull(value, "value");
        }
    }

    public DeviceReading {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(kind, "kind");
        values = List.copyOf(values);
    }
}
