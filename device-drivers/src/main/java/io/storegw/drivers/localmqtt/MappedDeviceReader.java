package io.storegw.drivers.localmqtt;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.json.StrictJson;
import io.storegw.drivers.observation.DeviceReading;
import io.storegw.drivers.observation.Observation;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A store device described by a {@link DeviceMapping}: its JSON fields become one {@code DeviceReading} per message. */
final class MappedDeviceReader implements TopicReader {

    private static final Pattern LEVEL = Pattern.compile("\\{(\\d+)}");

    private final DeviceMapping mapping;

    MappedDeviceReader(DeviceMapping mapping) {
        this.mapping = mapping;
    }

    @Override
    public String filter() {
        return mapping.topic();
    }

    /** The store's own devices (shelves, fridges, kiosks): their topics and readings name no shopper. */
    @Override
    public boolean mayNameShoppers() {
        return false;
    }

    @Override
    public String deviceOf(String topic) {
        String[] levels = topic.split("/");
        Matcher m = LEVEL.matcher(mapping.device());
        StringBuilder id = new StringBuilder();
        while (m.find()) {
            int level = Integer.parseInt(m.group(1));
            m.appendReplacement(id, Matcher.quoteReplacement(level < levels.length ? levels[level] : "?"));
        }
        m.appendTail(id);
        return id.toString();
    }

    @Override
    public List<Observation> read(String topic, byte[] payload, Instant at) throws BadMessage {
        JsonNode json = null;
        List<DeviceReading.Value> values = new ArrayList<>(mapping.values().size());
        for (DeviceMapping.Field f : mapping.values()) {
            if (f.field() == null) {
                values.add(new DeviceReading.Value(f.quantity(), BigDecimal.ONE, f.unit()));
                continue;
            }
            if (json == null) {
                json = TopicReader.json(payload);
            }
            JsonNode v = json;
            for (String part : f.field().split("\\.")) {
                v = v.path(part);
            }
            if (v.isMissingNode() || v.isNull()) {
                throw new BadMessage("missing-field", "no " + f.field() + " in the message");
            }
            BigDecimal number;
            if (v.isBoolean()) {
                number = v.booleanValue() ? BigDecimal.ONE : BigDecimal.ZERO;
            } else {
                try {
                    number = StrictJson.decimal(v);
                } catch (NumberFormatException e) {
                    throw new BadMessage("malformed", f.field() + ": " + e.getMessage());
                }
            }
            values.add(new DeviceReading.Value(f.quantity(), number, f.unit()));
        }
        return List.of(new DeviceReading(at, deviceOf(topic), mapping.kind(), values));
    }
}
