package io.storegw.gateway.journey;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.observation.PosTransaction;
import io.storegw.drivers.testing.Await;
import io.storegw.drivers.virtual.PresenceScenario;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.core.Instruction;
import io.storegw.gateway.members.Member;
import io.storegw.gateway.pos.PosTransactionHandler;
import io.storegw.gateway.privacy.KeyedHash;
import io.storegw.gateway.testing.Central;
import io.storegw.gateway.testing.MutableClock;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The virtual store with ground truth, through a whole gateway, with central's broker down for the
 * whole scenario and the store's own broker up: members walk, shop, pay with and without their
 * card, and come for orders. Staff displays hear every arrival while the WAN is down; once central's
 * broker is back, it gets every purchase tied to the right visit, no purchase without a card tied
 * to anyone, every collection, and door counts equal to the visits.
 */
class JourneyScenarioTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");
    private static final String ALERTS = "store/pickup/arrivals";

    @TempDir
    Path dir;

    @Test
    void everyJourneyArrivalAndDoorCountMatchesTheGroundTruthThoughTheUplinkWasDownThroughout() throws Exception {
        MutableClock clock = new MutableClock(T0);
        StringBuilder zones = new StringBuilder("presence:\n  zones:\n");
        PresenceScenario.zoneByReceiver().forEach((receiver, zone) ->
                zones.append("    - {name: ").append(zone).append(", receivers: [").append(receiver).append("]}\n"));
        try (TestBroker central = TestBroker.create(dir.resolve("central")); TestBroker store = TestBroker.create(dir.resolve("store"));
             Central hq = Central.subscribedBeforeOutage(central, "hq")) {
            store.start();
            String yaml = TestConfigs.withSources(TestConfigs.yaml(dir.resolve("gw"), central.uri(), 0, 0, zones + """
                    journey:
                      alertTopic: %s
                    """.formatted(ALERTS)), """
                      localMqtt:
                        enabled: true
                        broker: %s
                    """.formatted(store.uri()));
            Map<String, JsonNode> alerts = new ConcurrentHashMap<>();
            try (Gateway gw = Gateway.start(io.storegw.gateway.config.ConfigLoader.parse("test.yaml", yaml, dir), clock, clock::nanos);
                 StaffDisplay display = new StaffDisplay(store.uri(), alerts)) {
                KeyedHash cards = new KeyedHash(Files.readAllBytes(dir.resolve("gw").resolve("pseudonym.key")));
                List<Member> members = new ArrayList<>();
                for (int v = 0; v < 200; v++) {
                    members.add(new Member("v" + v, "consent-" + v, null, null, List.of(cards.loyalty(PresenceScenario.cardOf("v" + v)))));
                }
                gw.members().publish(members);
                Await.until(Duration.ofSeconds(20), "the alerts' connection to the store broker",
                        () -> gw.metrics().gauge("storegw_pickup_alerts_connected") == 1);

                Truth truth = run(gw, clock, new PresenceScenario(PresenceScenario.Settings.defaults(11, 40, Duration.ofSeconds(1)), T0));

                assertThat(truth.orders).as("orders in the scenario").hasSizeGreaterThan(3);
                // the WAN was down throughout: the staff displays heard every arrival anyway, soon after the door
                Await.until(Duration.ofSeconds(20), "an alert per order", () -> alerts.keySet().containsAll(truth.orders.keySet()));
                for (Map.Entry<String, Instant> order : truth.orders.entrySet()) {
                    Instant at = Instant.parse(alerts.get(order.getKey()).path("at").asText());
                    assertThat(Duration.between(order.getValue(), at).toSeconds()).as("alert for " + order.getKey() + " after entering")
                            .isBetween(0L, 40L);
                }
                assertThat(gw.uplink().connected()).isFalse();

                central.start();
                long committed = gw.outbox().stats().committedSeq();
                assertThat(hq.awaitAccountedFor(committed, Duration.ofSeconds(60))).as("every gap a reported drop").isTrue();
                List<JsonNode> events = List.copyOf(hq.events().values());

                Map<String, String> attributed = new HashMap<>();
                for (JsonNode e : byType(events, "journey.attributed")) {
                    attributed.put(e.path("data").path("transaction").asText(), e.path("data").path("member").asText());
                }
                long right = truth.paidWithCard.entrySet().stream().filter(p -> p.getValue().equals(attributed.get(p.getKey()))).count();
                double precision = attributed.isEmpty() ? 0 : (double) right / attributed.size();
                double recall = (double) right / truth.paidWithCard.size();
                assertThat(truth.paidWithCard).hasSizeGreaterThan(15);
                System.out.printf("journey scenario: %d visits, %d card sales, %d without card, %d orders; precision %.3f, recall %.3f%n",
                        truth.visits, truth.paidWithCard.size(), truth.paidWithoutCard.size(), truth.orders.size(), precision, recall);
                assertThat(precision).as("attributions that are right").isEqualTo(1.0);
                assertThat(recall).as("card purchases tied to their visit").isGreaterThanOrEqualTo(0.95);
                assertThat(attributed.keySet()).as("nobody is guessed").doesNotContainAnyElementsOf(truth.paidWithoutCard);
                assertThat(byType(events, "pos.transaction.completed")).hasSize(truth.paidWithCard.size() + truth.paidWithoutCard.size());

                Set<String> collected = byType(events, "pickup.collected").stream()
                        .map(e -> e.path("data").path("member").asText()).collect(Collectors.toSet());
                assertThat(collected).containsExactlyInAnyOrderElementsOf(truth.ordersCollected);

                long in = byType(events, "store.footfall").stream().mapToLong(e -> e.path("data").path("in").asLong()).sum();
                long out = byType(events, "store.footfall").stream().mapToLong(e -> e.path("data").path("out").asLong()).sum();
                assertThat(in).as("people in, as the door counted them").isEqualTo(truth.visits);
                assertThat(out).isEqualTo(truth.visits);
            }
        }
    }

    /** What really happened in the scenario. */
    private static final class Truth {
        int visits;
        /** transaction subject -> member, for purchases with the member's card */
        final Map<String, String> paidWithCard = new HashMap<>();
        final Set<String> paidWithoutCard = new HashSet<>();
        /** order holder -> when they first were in the entrance zone */
        final Map<String, Instant> orders = new HashMap<>();
        final Set<String> ordersCollected = new HashSet<>();
    }

    /** Feeds the scenario second by second on the gateway's clock, as a store would live it. */
    private static Truth run(Gateway gw, MutableClock clock, PresenceScenario scenario) throws Exception {
        Truth truth = new Truth();
        Set<String> withOrder = new HashSet<>();
        CompletableFuture<?> last = CompletableFuture.completedFuture(null);
        int second = 0;
        while (scenario.hasNext()) {
            PresenceScenario.Second s = scenario.next();
            for (String shopper : s.ordersReady()) {
                String member = shopper.substring("member:".length());
                withOrder.add(member);
                gw.core().instruct(new PickupChange.Upsert(new PickupDesk.Pickup("order-" + member, member, true))).get(10, TimeUnit.SECONDS);
            }
            for (BleSighting h : s.heard()) {
                last = gw.core().accept(h).toCompletableFuture();
            }
            for (Observation o : s.doorsAndTills()) {
                last = gw.core().accept(o).toCompletableFuture();
                if (o instanceof PosTransaction t) {
                    String subject = PosTransactionHandler.subject(t);
                    if (t.loyaltyNumber().isPresent()) {
                        String member = t.loyaltyNumber().get().substring("card-".length());
                        truth.paidWithCard.put(subject, member);
                        if (withOrder.contains(member)) {
                            truth.ordersCollected.add(member);
                        }
                    } else {
                        truth.paidWithoutCard.add(subject);
                    }
                } else if (o instanceof io.storegw.drivers.observation.DoorCrossing d && d.direction() == io.storegw.drivers.observation.DoorCrossing.Direction.IN) {
                    truth.visits++;
                }
            }
            s.truth().forEach((shopper, zone) -> {
                String member = shopper.substring("member:".length());
                if (withOrder.contains(member) && "entrance".equals(zone)) {
                    truth.orders.putIfAbsent("order-" + member, s.at());
                }
            });
            last.get(10, TimeUnit.SECONDS);
            clock.set(s.at().plusSeconds(1));
            if (++second % 10 == 0) {
                tick(gw);
            }
        }
        clock.set(clock.instant().plus(Duration.ofMinutes(20))); // every visit ends, every bucket closes
        tick(gw);
        tick(gw);
        return truth;
    }

    /** Lets the core loop tick at the clock's time: a turn of the loop, then one more to know it is done. */
    private static void tick(Gateway gw) throws Exception {
        Instruction nothing = new Instruction() { };
        gw.core().instruct(nothing).get(10, TimeUnit.SECONDS);
        gw.core().instruct(nothing).get(10, TimeUnit.SECONDS);
    }

    private static List<JsonNode> byType(List<JsonNode> events, String type) {
        return events.stream().filter(e -> e.path("type").asText().equals("io.storegw." + type + ".v1")).toList();
    }

    /** A staff display on the store's broker: the arrivals it was shown, by order. */
    private static final class StaffDisplay implements AutoCloseable {
        private final MqttAsyncClient client;

        StaffDisplay(String broker, Map<String, JsonNode> alerts) throws Exception {
            client = new MqttAsyncClient(broker, "staff-display", new MemoryPersistence());
            client.setCallback(new io.storegw.gateway.uplink.MqttCallbackAdapter() {
                @Override
                public void messageArrived(String topic, MqttMessage message) throws Exception {
                    JsonNode alert = JSON.readTree(message.getPayload());
                    alerts.putIfAbsent(alert.path("orderId").asText(), alert);
                }
            });
            client.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
            client.subscribe(new MqttSubscription(ALERTS, 1)).waitForCompletion(10_000);
        }

        @Override
        public void close() throws Exception {
            client.disconnect().waitForCompletion(5_000);
            client.close();
        }
    }
}
