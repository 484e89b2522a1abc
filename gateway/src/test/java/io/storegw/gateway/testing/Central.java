package io.storegw.gateway.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import io.storegw.drivers.localmqtt.PahoReconnect;
import io.storegw.gateway.uplink.MqttCallbackAdapter;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

/**
 * An independent subscriber playing central: a persistent MQTT 5 session on {@code storegw/v1/#}
 * that records every event by sequence number and every range reported dropped, so a test can ask
 * whether anything went missing without a report.
 */
public final class Central implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MqttAsyncClient client;
    private final Map<Long, JsonNode> events = new ConcurrentHashMap<>();
    private final NavigableSet<Long> dropped = new ConcurrentSkipListSet<>();
    private final Map<String, JsonNode> retained = new ConcurrentHashMap<>();
    private final List<MqttMessage> raw = new CopyOnWriteArrayList<>();
    private final AtomicLong conflicts = new AtomicLong();
    private final List<Long> arrivals = new CopyOnWriteArrayList<>();
    private final List<JsonNode> stateHistory = new CopyOnWriteArrayList<>();

    /** Connects (retrying while the broker is down) and subscribes. */
    public Central(String brokerUri, String clientId) throws MqttException {
        client = new MqttAsyncClient(brokerUri, clientId, new MemoryPersistence());
        client.setCallback(new MqttCallbackAdapter() {

            @Override
            public void messageArrived(String topic, MqttMessage message) throws IOException {
                record(topic, message);
            }
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(3600L);
        PahoReconnect.capped(o, Duration.ofSeconds(2));
        o.setReceiveMaximum(100);
        client.connect(o).waitForCompletion(10_000);
        client.subscribe(new MqttSubscription[] {new MqttSubscription("storegw/v1/#", 1)}).waitForCompletion(10_000);
    }

    /**
     * Central's persistent session made while {@code broker} is up, then the broker stopped: an uplink that
     * is down from the start, where whatever the gateway publishes once the broker returns is queued for
     * central even if the gateway connects first (a subscriber made after the restart could miss it).
     */
    public static Central subscribedBeforeOutage(TestBroker broker, String clientId) throws Exception {
        broker.start();
        Central central = new Central(broker.uri(), clientId);
        broker.stop();
        return central;
    }

    private void record(String topic, MqttMessage message) throws IOException {
        JsonNode body = JSON.readTree(message.getPayload());
        if (topic.endsWith("/state")) {
            retained.put(topic, body);
            stateHistory.add(body);
            return;
        }
        raw.add(message);
        long seq = Long.parseLong(body.path("sequence").asText());
        arrivals.add(seq);
        JsonNode earlier = events.putIfAbsent(seq, body);
        if (earlier != null) {
            if (!earlier.path("id").equals(body.path("id"))) {
                conflicts.incrementAndGet();
            }
        }
        if (body.path("type").asText().equals("io.storegw.gateway.dropped.v1")) {
            for (JsonNode range : body.path("data").path("ranges")) {
                long from = Long.parseLong(range.path("from").asText());
                long to = Long.parseLong(range.path("to").asText());
                for (long s = from; s <= to; s++) {
                    dropped.add(s);
                }
            }
        }
    }

    /** Events received, by sequence number (duplicates collapsed). */
    public Map<Long, JsonNode> events() {
        return events;
    }

    /** Sequence numbers reported in {@code gateway.dropped} events. */
    public NavigableSet<Long> dropped() {
        return dropped;
    }

    /** The last retained state message seen per topic. */
    public Map<String, JsonNode> states() {
        return retained;
    }

    /** The raw MQTT messages (with their MQTT 5 properties) of every event. */
    public List<MqttMessage> messages() {
        return raw;
    }

    /** Sequence numbers that arrived twice with different event ids: a number was reused, which must never happen. */
    public long conflicts() {
        return conflicts.get();
    }

    /** Sequence numbers in the order they arrived (re-sends included). */
    public List<Long> arrivals() {
        return arrivals;
    }

    /** Every state message seen, oldest first. */
    public List<JsonNode> stateHistory() {
        return stateHistory;
    }

    /** True when, ignoring re-sends of numbers already seen, events arrived in sequence order. */
    public boolean arrivedInOrder() {
        long highest = 0;
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (long seq : arrivals) {
            if (seen.add(seq)) {
                if (seq < highest) {
                    return false;
                }
                highest = seq;
            }
        }
        return true;
    }

    /** The till transactions received ({@code workstation/sequence}), each with the distinct event ids it came under. */
    public Map<String, java.util.Set<String>> transactions() {
        Map<String, java.util.Set<String>> byTransaction = new java.util.HashMap<>();
        for (MqttMessage m : raw) { // every message, so a transaction sent again under a new id shows
            JsonNode e;
            try {
                e = JSON.readTree(m.getPayload());
            } catch (IOException recordedSoJson) {
                throw new java.io.UncheckedIOException(recordedSoJson);
            }
            if (e.path("type").asText().equals("io.storegw.pos.transaction.completed.v1")) {
                JsonNode data = e.path("data");
                byTransaction.computeIfAbsent(data.path("workstation").asText() + "/" + data.path("sequenceNumber").asLong(),
                        k -> new java.util.HashSet<>()).add(e.path("id").asText());
            }
        }
        return byTransaction;
    }

    /** The highest sequence number received. */
    public long highest() {
        return events.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** Sequence numbers from 1 to {@code upTo} neither received nor reported dropped: real losses. */
    public List<Long> gapsUpTo(long upTo) {
        List<Long> gaps = new ArrayList<>();
        for (long s = 1; s <= upTo; s++) {
            if (!events.containsKey(s) && !dropped.contains(s)) {
                gaps.add(s);
            }
        }
        return gaps;
    }

    /** The gaps up to {@code upTo} as a short text: how many, and the first few ranges. */
    public String gapSummary(long upTo) {
        List<Long> gaps = gapsUpTo(upTo);
        StringBuilder s = new StringBuilder(gaps.size() + " missing");
        int ranges = 0;
        for (int i = 0; i < gaps.size() && ranges < 5; ranges++) {
            int j = i;
            while (j + 1 < gaps.size() && gaps.get(j + 1) == gaps.get(j) + 1) {
                j++;
            }
            s.append(ranges == 0 ? ": " : ", ").append(gaps.get(i)).append(i == j ? "" : ".." + gaps.get(j));
            i = j + 1;
        }
        return s.toString();
    }

    /** Waits until 1..{@code upTo} are all accounted for (received or reported dropped); false on timeout. */
    public boolean awaitAccountedFor(long upTo, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (accountedFor(upTo)) {
                return true;
            }
            Thread.sleep(100);
        }
        return accountedFor(upTo);
    }

    private boolean accountedFor(long upTo) {
        if (events.size() + dropped.size() < upTo) {
            return false;
        }
        return gapsUpTo(upTo).isEmpty();
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(2_000).waitForCompletion(3_000);
            }
        } catch (MqttException ignored) {
            // Tests are over.
        }
        try {
            client.close(true);
        } catch (MqttException ignored) {
            // Tests are over.
        }
    }
}
