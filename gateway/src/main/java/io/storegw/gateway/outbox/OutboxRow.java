package io.storegw.gateway.outbox;

import io.storegw.gateway.event.EventClass;

/** One committed event as the uplink reads it: the encoded CloudEvent and what MQTT needs beside it. */
public record OutboxRow(long seq, EventClass eventClass, String id, String type, String subject, String topic,
                        long createdMillis, byte[] payload) {
}
