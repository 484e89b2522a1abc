package io.storegw.gateway.event;

import java.time.Instant;
import java.util.Objects;

/**
 * An event the gateway will publish, before the outbox gives it a sequence number.
 *
 * @param id      the CloudEvents id: unique and time-ordered (a UUIDv7)
 * @param subject what the event is about, never a member id, MAC or loyalty number
 * @param data    a record (or map) serialised as the CloudEvents {@code data}
 * @param member  the member pseudonym a pseudonymous event is about, or null: never published as such,
 *                it lets the outbox find a member's queued events when their consent is revoked
 */
public record Event(String id, EventType type, Instant time, String subject, DataClass dataClass, Object data, String member) {

    /** An event about no member. */
    public Event(String id, EventType type, Instant time, String subject, DataClass dataClass, Object data) {
        this(id, type, time, subject, dataClass, data, null);
    }

    public Event {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(dataClass, "dataClass");
        Objects.requireNonNull(data, "data");
        if (member != null && dataClass != DataClass.PSEUDONYMOUS) {
            throw new IllegalArgumentException("only a pseudonymous event is about a member");
        }
    }
}
