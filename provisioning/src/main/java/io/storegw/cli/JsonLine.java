package io.storegw.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.storegw.gateway.event.CloudEventEncoder;

/** One value as one line of JSON, with the mapper events are written with, for the commands' {@code --json}. */
final class JsonLine {

    private JsonLine() {
    }

    static String of(Object value) {
        try {
            return CloudEventEncoder.JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
