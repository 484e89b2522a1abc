package io.storegw.gateway.event;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

/** Writes an event as a CloudEvents 1.0 structured JSON document, with the outbox's sequence number. */
public final class CloudEventEncoder {

    /** The MQTT 5 content type of every event. */
    public static final String CONTENT_TYPE = "application/cloudevents+json; charset=utf-8";
    /** Digits of the zero-padded {@code sequence}: enough for 300 years at a million events a second. */
    public static final int SEQUENCE_DIGITS = 16;

    /**
     * One mapper for all event data: times as RFC 3339 strings, and decimals (money, quantities) as exact
     * decimal strings such as {@code "21.20"}, because a JSON number is read as a double by most consumers.
     */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new SimpleModule("storegw-events")
                    .addSerializer(Instant.class, ToStringSerializer.instance)
                    .addDeserializer(Instant.class, new FromStringDeserializer<>(Instant.class) {
                        @Override
                        protected Instant _deserialize(String value, DeserializationContext ctxt) {
                            return Instant.parse(value); // saved handler state is read back with this mapper
                        }
                    })
                    .addSerializer(LocalDate.class, ToStringSerializer.instance))
            .withConfigOverride(BigDecimal.class, o -> o.setFormat(JsonFormat.Value.forShape(JsonFormat.Shape.STRING)))
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private final GatewayIdentity identity;

    public CloudEventEncoder(GatewayIdentity identity) {
        this.identity = identity;
    }

    /** The zero-padded form of a sequence number, as CloudEvents' sequence extension wants it (string order = number order). */
    public static String sequence(long seq) {
        String digits = Long.toString(seq);
        return "0".repeat(Math.max(0, SEQUENCE_DIGITS - digits.length())) + digits;
    }

    /** Encodes one event with its sequence number. */
    public byte[] encode(Event event, long seq) {
        return encode(event).withSequence(seq);
    }

    /**
     * Encodes one event before its sequence number is known: the number is assigned by the outbox's
     * single committer, and encoding there made JSON an eighth of the committer's time (JFR at full
     * load), so sources' threads encode and the committer only writes the digits in.
     */
    public Encoded encode(Event event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        int sequenceAt;
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("specversion", "1.0");
            g.writeStringField("id", event.id());
            g.writeStringField("source", identity.source());
            g.writeStringField("type", event.type().cloudEventType());
            g.writeStringField("time", DateTimeFormatter.ISO_INSTANT.format(event.time()));
            g.writeStringField("subject", event.subject());
            g.writeStringField("datacontenttype", "application/json");
            g.writeFieldName("sequence");
            g.flush();
            sequenceAt = out.size() + 2; // after the colon and the opening quote
            g.writeString(UNNUMBERED);
            g.writeStringField("storeid", identity.store());
            g.writeStringField("dataclass", event.dataClass().wire());
            g.writeFieldName("data");
            g.writeObject(event.data());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + event.type().key(), e);
        }
        byte[] json = out.toByteArray();
        if (json[sequenceAt - 1] != '"' || json[sequenceAt + SEQUENCE_DIGITS] != '"') {
            throw new IllegalStateException("the sequence placeholder is not where the encoder put it");
        }
        return new Encoded(json, sequenceAt);
    }

    private static final String UNNUMBERED = "0".repeat(SEQUENCE_DIGITS);

    /** An encoded event waiting for its sequence number; {@code sequenceAt} is where its digits go. */
    public record Encoded(byte[] json, int sequenceAt) {

        /** The event's JSON with {@code seq} written in (a copy: this one stays unnumbered). */
        public byte[] withSequence(long seq) {
            if (seq < 0) {
                throw new IllegalArgumentException("sequence " + seq + " is negative");
            }
            byte[] numbered = json.clone();
            long rest = seq;
            for (int i = sequenceAt + SEQUENCE_DIGITS - 1; i >= sequenceAt; i--) {
                numbered[i] = (byte) ('0' + rest % 10);
                rest /= 10;
            }
            if (rest != 0) {
                throw new IllegalArgumentException("sequence " + seq + " has more than " + SEQUENCE_DIGITS + " digits");
            }
            return numbered;
        }

        /** The encoded size, which the number does not change. */
        public int length() {
            return json.length;
        }
    }
}
