package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.DoorCrossing;
import io.storegw.drivers.observation.PosTransaction;
import io.storegw.drivers.testing.Await;
import io.storegw.drivers.virtual.VirtualStoreModel;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.Event;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.event.EventIds;
import io.storegw.gateway.event.GatewayIdentity;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.outbox.Outbox;
import io.storegw.gateway.testing.BrokerAndCentral;
import io.storegw.gateway.testing.Central;
import io.storegw.gateway.testing.FailingBlock;
import io.storegw.gateway.testing.TestConfigs;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uplink against a real broker over TCP, with an independent subscriber checking that every
 * sequence number arrives or is reported dropped.
 */
class DeliveryScenariosTest {

    @TempDir
    Path dir;
    @RegisterExtension
    final BrokerAndCentral rig = new BrokerAndCentral(() -> dir.resolve("broker"));

    private Gateway gateway(double rate, long limit, String extra) throws Exception {
        return Gateway.start(TestConfigs.config(dir.resolve("gw"), rig.broker().uri(), rate, limit, extra), Clock.systemUTC());
    }

    private static void awaitObservations(Gateway gw, long n) throws InterruptedException {
        Await.until(Duration.ofSeconds(60), n + " observations taken",
                () -> gw.metrics().count("storegw_core_observations_total") >= n);
    }

    @Test
    void brokerDownAtStartThenUpEverythingQueuedArrivesInOrder() throws Exception {
        rig.broker().stop();
        try (Gateway gw = gateway(2_000, 6_000, "")) {
            awaitObservations(gw, 6_000);
            Thread.sleep(1_500); // let the last buckets close
            long queued = gw.outbox().stats().committedSeq();
            assertThat(queued).isGreaterThan(100);
            assertThat(gw.uplink().connected()).isFalse();
            assertThat(gw.problem()).contains("uplink disconnected");
            assertThat(rig.central().events()).isEmpty();

            rig.broker().start();
            assertThat(rig.central().awaitAccountedFor(queued, Duration.ofSeconds(60)))
                    .as("missing %s", rig.central().gapSummary(queued)).isTrue();
            assertThat(rig.central().dropped()).isEmpty();
            assertThat(rig.central().arrivedInOrder()).isTrue();
            assertThat(rig.central().conflicts()).isZero();
            Await.until(Duration.ofSeconds(10), "outbox drained", () -> gw.outbox().stats().rows() == 0);
        }
    }

    /**
     * A page of the outbox file stops reading while the broker is away (a page of 3,000 queued events garbled in
     * place, as a failing card's block would): once the broker is back, central gets the {@code outbox.salvaged}
     * alarm and every queued event but those of the unreadable stretch, the newest included. Before, the gateway
     * sent nothing more and took nothing more.
     */
    @Test
    void aPageOfTheOutboxThatNoLongerReadsCostsItsEventsNotTheRest() throws Exception {
        rig.broker().stop();
        GatewayConfig config = TestConfigs.withoutSources(dir.resolve("gw"), rig.broker().uri(), "");
        long queued = 3_000;
        EventIds ids = new EventIds(Clock.systemUTC());
        try (Outbox outbox = Outbox.open(new Outbox.Settings(config.outboxPath(), 256L << 20, Duration.ZERO, java.util.Map.of(),
                Duration.ofDays(7)), new GatewayIdentity("acme", "s042", "gw1"), ids, Clock.systemUTC(), new Metrics())) {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int i = 0; i < queued; i++) {
                done.add(outbox.append(List.of(new Event(ids.next(), EventCatalogue.STORE_FOOTFALL, Instant.now(), "door",
                        DataClass.ANONYMOUS, java.util.Map.of("n", i, "pad", "x".repeat(400))))));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
        FailingBlock.Damaged damaged = FailingBlock.damageAPageOfEvents(Path.of(config.outboxPath() + ".mv"));
        rig.broker().start();
        try (Gateway gw = Gateway.start(config, Clock.systemUTC())) {
            Await.until(Duration.ofSeconds(60), "the salvage alarm at central", () -> rig.central().events().values().stream()
                    .anyMatch(e -> e.path("data").path("kind").asText().equals("outbox.salvaged")));
            Await.until(Duration.ofSeconds(60), "the newest queued event, after the damage", () -> rig.central().events().containsKey(queued));
            List<Long> lost = rig.central().gapsUpTo(queued);
            assertThat(lost).as("the damaged page's events, and only those: %s", rig.central().gapSummary(queued)).isNotEmpty()
                    .allSatisfy(seq -> assertThat(seq).isBetween(damaged.from(), damaged.before() - 1));
            assertThat(rig.central().conflicts()).isZero();
            assertThat(gw.metrics().count("storegw_outbox_salvaged_total")).isEqualTo(1);
        }
    }

    @Test
    void brokerStoppedMidStreamNothingIsLost() throws Exception {
        try (Gateway gw = gateway(3_000, 0, "")) {
            Await.until(Duration.ofSeconds(30), "events flowing", () -> rig.central().events().size() > 200);
            rig.broker().stop();
            long atStop = gw.outbox().stats().committedSeq();
            Await.until(Duration.ofSeconds(30), "events queued during the outage",
                    () -> gw.outbox().stats().committedSeq() > atStop + 300);
            assertThat(gw.uplink().connected()).isFalse();
            rig.broker().start();
            Await.until(Duration.ofSeconds(30), "reconnected", () -> gw.uplink().connected());
            long committed = gw.outbox().stats().committedSeq();
            assertThat(rig.central().awaitAccountedFor(committed, Duration.ofSeconds(60)))
                    .as("missing %s", rig.central().gapSummary(committed)).isTrue();
            assertThat(rig.central().dropped()).isEmpty();
            assertThat(rig.central().conflicts()).isZero();
            assertThat(gw.metrics().count("storegw_uplink_connects_total")).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void overBudgetBulkIsShedFirstEveryDropIsReportedAndCriticalIsKept() throws Exception {
        rig.broker().stop();
        // How many footfall and presence events the buckets make depends on the core's timing, so make
        // about twice the budget (not just over it) for shedding to happen on every run.
        int sales = 800;
        List<CompletionStage<Void>> acknowledged = new ArrayList<>();
        try (Gateway gw = Gateway.start(TestConfigs.withoutSources(dir.resolve("gw"), rig.broker().uri(), "outbox:\n  budget: 1MB\n"),
                Clock.systemUTC())) {
            Instant t = Instant.parse("2026-11-23T08:00:00Z");
            for (int i = 0; i < 3 * sales; i++) {
                // Every observation is a second later, so every one closes a footfall and a presence bucket.
                Instant at = t.plusSeconds(i);
                gw.core().accept(new DoorCrossing(at, "door-main", DoorCrossing.Direction.IN));
                for (String zone : VirtualStoreModel.ZONES) {
                    for (int d = 0; d < 5; d++) {
                        gw.core().accept(new BleSighting(at, VirtualStoreModel.receiverOf(zone), "ibeacon:x/" + i + "/" + d, -60, -59));
                    }
                }
                if (i % 3 == 0) {
                    acknowledged.add(gw.core().accept(new PosTransaction(at, null, null, "till-1", LocalDate.parse("2026-11-23"), (long) i / 3 + 1, null,
                            PosTransaction.Kind.SALE, "EUR", PosTransaction.Totals.of(new BigDecimal("9.99")),
                            List.of(new PosTransaction.Line("4006381333931", "4006381333931", BigDecimal.ONE, new BigDecimal("9.99"))),
                            List.of(new PosTransaction.Tender("card", new BigDecimal("9.99"))), List.of(),
                            Optional.of("9000000000000" + i), "test")));
                }
                if (i % 100 == 0) {
                    Thread.sleep(20); // let telemetry (bulk) tick in between
                }
            }
            CompletableFuture.allOf(acknowledged.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new))
                    .get(60, TimeUnit.SECONDS);
            Await.until(Duration.ofSeconds(30), "shedding reported",
                    () -> gw.metrics().count("storegw_outbox_dropped_total", "reason", "budget") > 0);
            Thread.sleep(1_000);
            long committed = gw.outbox().stats().committedSeq();
            assertThat(gw.outbox().stats().bytes()).isLessThanOrEqualTo(1L << 20);

            rig.broker().start();
            assertThat(rig.central().awaitAccountedFor(committed, Duration.ofSeconds(60)))
                    .as("unreported gaps %s", rig.central().gapSummary(committed)).isTrue();
            assertThat(rig.central().dropped()).isNotEmpty();
            List<JsonNode> events = rig.central().events().entrySet().stream()
                    .filter(e -> e.getKey() <= committed).map(java.util.Map.Entry::getValue).toList();
            // Every sale that was acknowledged arrived: critical is never shed.
            assertThat(events.stream().filter(e -> e.path("type").asText().equals("io.storegw.pos.transaction.completed.v1"))
                    .map(e -> e.path("data").path("sequenceNumber").asLong()).distinct().count()).isEqualTo(sales);
            // Bulk goes first, oldest first: a telemetry event that is still there was never passed over,
            // so no drop came after it. (Telemetry newer than the last drop may stay: the outbox has room then.)
            long lastDrop = rig.central().dropped().last();
            List<Long> telemetryLeft = events.stream().filter(e -> e.path("type").asText().contains("gateway.telemetry"))
                    .map(e -> Long.parseLong(e.path("sequence").asText())).toList();
            long footfallLeft = events.stream().filter(e -> e.path("type").asText().contains("store.footfall")).count();
            assertThat(footfallLeft).isPositive().isLessThan(3L * sales);
            assertThat(telemetryLeft).as("bulk is shed before normal: no telemetry older than the last drop (%d)", lastDrop)
                    .allSatisfy(seq -> assertThat(seq).isGreaterThan(lastDrop));
            assertThat(events).filteredOn(e -> e.path("type").asText().contains("gateway.dropped"))
                    .allSatisfy(e -> assertThat(e.path("data").path("reason").asText()).isEqualTo("budget"));
        }
    }

    @Test
    void eventsCarryMqtt5PropertiesAndTheStateIsRetainedOnlineThenOffline() throws Exception {
        Gateway gw = gateway(1_000, 0, "");
        try {
            Await.until(Duration.ofSeconds(30), "events flowing", () -> rig.central().events().size() > 20);
            MqttMessage m = rig.central().messages().get(0);
            JsonNode body = io.storegw.gateway.event.CloudEventEncoder.JSON.readTree(m.getPayload());
            assertThat(m.getQos()).isEqualTo(1);
            assertThat(m.getProperties().getContentType()).isEqualTo("application/cloudevents+json; charset=utf-8");
            assertThat(m.getProperties().getUserProperties()).extracting(UserProperty::getKey)
                    .containsExactly("id", "type", "source", "subject");
            assertThat(m.getProperties().getUserProperties()).extracting(UserProperty::getValue).containsExactly(
                    body.path("id").asText(), body.path("type").asText(), "urn:storegw:acme:s042:gw1", body.path("subject").asText());
            JsonNode state = rig.central().states().get("storegw/v1/acme/s042/gw1/state");
            assertThat(state.path("state").asText()).isEqualTo("online");
            assertThat(state.has("backlogRows")).isTrue();
            assertThat(state.has("oldestQueuedAgeS")).isTrue();
            assertThat(new String(m.getPayload(), StandardCharsets.UTF_8)).doesNotContain("9000000");
            // The birth message shares the in-flight window with events: one connection, never refused for exceeding it.
            Await.until(Duration.ofSeconds(10), "a few hundred events", () -> rig.central().events().size() > 300);
            assertThat(gw.metrics().count("storegw_uplink_connects_total")).isEqualTo(1);
        } finally {
            gw.close();
        }
        Await.until(Duration.ofSeconds(10), "offline state", () -> "offline".equals(
                rig.central().states().get("storegw/v1/acme/s042/gw1/state").path("state").asText()));
        assertThat(rig.central().states().get("storegw/v1/acme/s042/gw1/state").path("reason").asText()).isEqualTo("shutdown");
        // A late subscriber still learns the gateway's state: it is retained.
        try (Central late = new Central(rig.broker().uri(), "late-" + System.nanoTime())) {
            Await.until(Duration.ofSeconds(10), "retained state", () -> !late.states().isEmpty());
            assertThat(late.states().get("storegw/v1/acme/s042/gw1/state").path("state").asText()).isEqualTo("offline");
        }
    }
}
