package io.storegw.gateway.outbox;

import io.storegw.gateway.event.EventClass;

/**
 * One committed event as the uplink reads it: the encoded CloudEvent and what MQTT needs beside it.
 *
 * @param createdMillis when it was written, on the outbox's time ({@link Outbox#now()}), which is the wall clock
 *                      less the steps it was set by while the gateway ran
 * @param expiresMillis when its type's TTL runs out, on the outbox's time, or 0 for never
 */
public record OutboxRow(long seq, EventClass eventClass, String id, String type, String subject, String topic,
                        long createdMillis, long expiresMillis, byte[] payload) {
}
