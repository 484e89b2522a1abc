package io.storegw.gateway.uplink;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Topics central's broker refused lately as not authorized (or as an invalid topic name): a row on one is refused
 * here, as the broker would, without being sent. Mosquitto (eclipse-mosquitto/mosquitto#2579) and AWS IoT Core close
 * the connection on every publish they refuse, so one event type the ACL forgot cost a reconnect per event: measured
 * against Mosquitto on loopback, with one event in thirty denied, 34 events/s forwarded and 163 connections a minute,
 * which a busy store outruns for ever (over a WAN, with a TLS handshake per connection, far fewer). A topic is tried
 * again {@link #RETRY} after its refusal, so a policy put right shows within that time.
 */
final class DeniedTopics {

    static final Duration RETRY = Duration.ofMinutes(15);
    private static final int NOT_AUTHORIZED = 0x87;
    private static final int TOPIC_NAME_INVALID = 0x90;

    private record Denial(Refusal refusal, long atMillis) {
    }

    private final Map<String, Denial> denied = new ConcurrentHashMap<>();

    /** The broker refused a publish on {@code topic}: remembered when the refusal is about the topic, not that message. */
    void refused(String topic, Refusal why, long now) {
        if (why.code() == NOT_AUTHORIZED || why.code() == TOPIC_NAME_INVALID) {
            denied.put(topic, new Denial(why, now));
        }
    }

    /** The broker took a publish on {@code topic} after all (an event of the refused folder sent again). */
    void accepted(String topic) {
        denied.remove(topic);
    }

    /** The refusal to give a row on {@code topic} without sending it, or null to send it (never refused, or to try again). */
    Refusal check(String topic, long now) {
        if (denied.isEmpty()) {
            return null;
        }
        Denial d = denied.get(topic);
        if (d == null) {
            return null;
        }
        if (Elapsed.over(d.atMillis(), now, RETRY.toMillis())) {
            denied.remove(topic, d); // the next row on it goes to the broker, which says again
            return null;
        }
        return new Refusal(d.refusal().code(), "not sent: the broker refused this topic at " + Instant.ofEpochMilli(d.atMillis())
                + ", tried again " + RETRY.toMinutes() + " min later" + (d.refusal().reason() == null ? "" : " (" + d.refusal().reason() + ")"));
    }
}
