package io.storegw.drivers.localmqtt;

import java.util.List;
import java.util.Objects;

/**
 * How the messages of a store's own devices become {@code device.reading}s: which topics, which device,
 * which JSON fields in which units. Written in config, one per kind of device.
 *
 * @param topic  an MQTT topic filter ({@code store/shelves/+/weight})
 * @param device the device id; {@code {N}} is replaced by topic level N, counted from 0
 *               ({@code shelf-{2}})
 * @param kind   what the device is: {@code shelf}, {@code fridge}, {@code kiosk}, {@code signage}, ...
 * @param values the quantities to read; a value without a field counts the message itself (a kiosk
 *               touch, a signage play) as 1
 */
public record DeviceMapping(String topic, String device, String kind, List<Field> values) {

    /**
     * @param field    a dotted path in the JSON payload ({@code data.weight}), or null to count the message
     * @param quantity the name the value is published under
     * @param unit     its unit ({@code g}, {@code Cel}, ...), or null
     */
    public record Field(String field, String quantity, String unit) {
        public Field {
            Objects.requireNonNull(quantity, "quantity");
        }
    }

    public DeviceMapping {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(kind, "kind");
        values = List.copyOf(values);
    }
}
