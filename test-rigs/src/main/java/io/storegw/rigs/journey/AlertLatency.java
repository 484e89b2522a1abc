package io.storegw.rigs.journey;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.ConfigLoader;
import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.journey.PickupChange;
import io.storegw.gateway.journey.PickupDesk;
import io.storegw.gateway.members.Member;
import io.storegw.gateway.privacy.KeyedHash;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import io.storegw.rigs.presence.PresenceAccuracy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

/**
 * Wall-clock time from the observation that places a member with a ready order in the pickup zone to a
 * staff display hearing the alert on the store's broker, through a running gateway whose uplink to
 * central is down; beside it, in the same run, a bare Paho publish to the same broker and subscriber.
 */
final class AlertLatency {

    /** Milliseconds, nearest-rank percentiles. */
    record Result(int samples, double gatewayP50, double gatewayP99, double pahoP50, double pahoP99) {
    }

    private static final String TOPIC = "store/pickup/arrivals";

    private AlertLatency() {
    }

    static Result measure(TestBroker store, Path work, int samples) throws Exception {
        Map<String, Long> heard = new ConcurrentHashMap<>();
        String yaml = TestConfigs.withSources(TestConfigs.yaml(work.resolve("gw"), "tcp://127.0.0.1:" + TestBroker.freePort(), 0, 0, """
                presence:
                  zones:
                    - {name: pickup, receivers: [desk]}
                journey:
                  alertTopic: %s
                """.formatted(TOPIC)), """
                  localMqtt:
                    enabled: true
                    broker: %s
                """.formatted(store.uri()));
        MqttAsyncClient display = client(store.uri(), "staff-display");
        display.setCallback(new io.storegw.gateway.uplink.MqttCallbackAdapter() {
            @Override
            public void messageArrived(String topic, MqttMessage message) throws java.io.IOException {
                long at = System.nanoTime();
                heard.putIfAbsent(CloudEventEncoder.JSON.readTree(message.getPayload()).path("orderId").asText(), at);
            }
        });
        display.subscribe(new MqttSubscription(TOPIC, 1)).waitForCompletion(10_000);
        List<Double> gateway = new ArrayList<>();
        List<Double> paho = new ArrayList<>();
        try (Gateway gw = Gateway.start(ConfigLoader.parse("bench.yaml", yaml, work), Clock.systemUTC())) {
            KeyedHash cards = new KeyedHash(new byte[32]);
            List<Member> members = new ArrayList<>();
            for (int i = 0; i < samples; i++) {
                members.add(new Member("m" + i, "consent", null, null, List.of(cards.loyalty("card-m" + i))));
            }
            gw.members().publish(members);
            for (int i = 0; i < samples; i++) {
                gw.core().instruct(new PickupChange.Upsert(new PickupDesk.Pickup("order-m" + i, "m" + i, true))).get(10, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (gw.metrics().gauge("storegw_pickup_alerts_connected") != 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            for (int i = 0; i < samples; i++) {
                long sent = System.nanoTime();
                gw.core().accept(new BleSighting(Instant.now(), "desk", "member:m" + i, -52, -59));
                gateway.add(await(heard, "order-m" + i, sent));
            }
        }
        MqttAsyncClient raw = client(store.uri(), "bare-paho");
        for (int i = 0; i < samples; i++) {
            long sent = System.nanoTime();
            raw.publish(TOPIC, new MqttMessage(("{\"orderId\":\"raw-" + i + "\",\"member\":\"m" + i
                    + "\",\"zone\":\"pickup\",\"at\":\"2026-12-01T10:00:00Z\",\"how\":\"near\"}").getBytes(StandardCharsets.UTF_8), 1, false, null));
            paho.add(await(heard, "raw-" + i, sent));
        }
        raw.disconnect().waitForCompletion(5_000);
        raw.close();
        display.disconnect().waitForCompletion(5_000);
        display.close();
        return new Result(samples, PresenceAccuracy.pct(gateway, 50), PresenceAccuracy.pct(gateway, 99),
                PresenceAccuracy.pct(paho, 50), PresenceAccuracy.pct(paho, 99));
    }

    private static MqttAsyncClient client(String broker, String id) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(broker, id, new MemoryPersistence());
        c.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
        return c;
    }

    /** Milliseconds from {@code sent} until the display heard {@code order}. */
    private static double await(Map<String, Long> heard, String order, long sent) throws InterruptedException {
        long deadline = sent + TimeUnit.SECONDS.toNanos(10);
        Long at;
        while ((at = heard.get(order)) == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the staff display never heard " + order);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000); // polling, not spinning: two cores are shared with the gateway
        }
        return (at - sent) / 1e6;
    }
}
