package io.storegw.gateway.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CloudEventEncoderTest {

    private final CloudEventEncoder encoder = new CloudEventEncoder(new GatewayIdentity("acme", "s042", "gw1"));

    @Test
    void theSequenceIsWrittenIntoTheEncodedEventWhereverEscapingMovedIt() throws Exception {
        // a subject and data that JSON must escape move the sequence's place; the digits must still land in it
        Event event = new Event(new EventIds(Clock.systemUTC()).next(), EventCatalogue.DEVICE_STATUS, Instant.parse("2026-11-23T10:00:00Z"),
                "shelf \"4\" \u00e9\t\u2603", DataClass.ANONYMOUS, Map.of("note", "line\nbreak"));
        CloudEventEncoder.Encoded encoded = encoder.encode(event);
        byte[] unnumbered = encoded.json().clone();

        JsonNode numbered = CloudEventEncoder.JSON.readTree(encoded.withSequence(1_234_567));
        assertThat(numbered.path("sequence").asText()).isEqualTo("0000000001234567");
        assertThat(numbered.path("subject").asText()).isEqualTo(event.subject());
        assertThat(numbered.path("data").path("note").asText()).isEqualTo("line\nbreak");
        assertThat(encoded.json()).as("numbering works on a copy").isEqualTo(unnumbered);
        assertThat(CloudEventEncoder.JSON.readTree(encoder.encode(event, 9_999_999_999_999_999L)).path("sequence").asText())
                .isEqualTo("9999999999999999");
        assertThatThrownBy(() -> encoded.withSequence(10_000_000_000_000_000L)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encoded.withSequence(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
