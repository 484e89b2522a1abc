package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import io.storegw.drivers.testing.Await;
import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.Event;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.event.EventIds;
import io.storegw.gateway.event.GatewayIdentity;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.testing.HiveMqBroker;
import io.storegw.gateway.testing.HoldingProxy;
import io.storegw.gateway.testing.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Central's broker refusing some of the gateway's events. Refused for good (an ACL on a topic, an event larger than
 * its Maximum Packet Size), they are removed, reported in {@code gateway.dropped} with the broker's code and kept
 * in a folder, and the events behind them arrive. Before, Paho completed a refused publish like an acknowledged one
 * and the outbox deleted it unreported; and a row the broker closed the connection on (an event over its packet
 * size; Mosquitto's answer to a publish its ACL denies) was sent again at every reconnect, holding every later row
 * back for ever. Refused for now (quota exceeded), the row is sent again until taken.
 */
class BrokerRefusalTest {

    private static final GatewayIdentity ID = UplinkRig.ID;
    private static final String DENIED = "storegw/v1/acme/s042/gw1/evt/store/";
    private static final int MAX_PACKET = 64 * 1024;

    @TempDir
    Path dir;
    final Clock clock = Clock.systemUTC();
    final Metrics metrics = new Metrics();
    final EventIds ids = new EventIds(clock);

    @Test
    void eventsRefusedForGoodAreReportedAndKeptAndDoNotHoldBackTheRest() throws Exception {
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"), new TestBroker.Refusing(DENIED, MAX_PACKET));
             UplinkRig rig = UplinkRig.start(broker, broker.uri(), dir, clock, ids, metrics)) {
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < 30; i++) { // a footfall every third event (denied), one visit too large for the broker
                events.add(i % 3 == 1 ? event(EventCatalogue.STORE_FOOTFALL, "n" + i)
                        : event(EventCatalogue.VISIT_STARTED, i == 9 ? "x".repeat(100_000) : "n" + i));
            }
            rig.outbox().append(events).get(10, TimeUnit.SECONDS);
            Set<Long> denied = new TreeSet<>();
            for (long seq = 2; seq <= 30; seq += 3) {
                denied.add(seq);
            }
            long tooLarge = 10;

            Await.until(Duration.ofSeconds(60), "the outbox drained, its refusals reported",
                    () -> rig.outbox().rows() == 0 && rig.central().gapsUpTo(rig.outbox().stats().committedSeq()).isEmpty());
            long last = rig.outbox().stats().committedSeq();
            assertThat(rig.central().gapsUpTo(last)).as("every event received or reported dropped").isEmpty();
            Map<Long, JsonNode> received = rig.central().events();
            for (long seq = 1; seq <= 30; seq++) {
                boolean refused = denied.contains(seq) || seq == tooLarge;
                assertThat(received.containsKey(seq)).as("event %d %s", seq, refused ? "refused" : "received").isEqualTo(!refused);
            }
            // HiveMQ answers a denied publish with PUBACK 135; Mosquitto sends that and closes the connection, which
            // may lose the PUBACK: then the gateway finds the row it keeps closing on, and reports it without a code.
            Map<Integer, Set<Long>> byCode = refusedByCode(received);
            assertThat(byCode.remove(149)).as("reported refused as too large").isEqualTo(Set.of(tooLarge));
            assertThat(byCode.keySet()).as("not authorized, or the connection closed").isSubsetOf(135, 0);
            assertThat(byCode.values().stream().flatMap(Set::stream).toList()).as("every denied event reported refused, once")
                    .containsExactlyInAnyOrderElementsOf(denied);

            assertThat(metrics.count("storegw_uplink_refused_total", "code", "135")
                    + metrics.count("storegw_uplink_refused_total", "code", "closed")).isEqualTo(denied.size());
            assertThat(metrics.count("storegw_uplink_refused_total", "code", "149")).isOne();
            assertThat(metrics.count("storegw_outbox_dropped_total", "reason", "refused")).isEqualTo(denied.size() + 1);
            assertThat(rig.uplink().refused().count()).isEqualTo(denied.size() + 1);
            assertThat(rig.uplink().refused().last()).contains("io.storegw.");

            List<Path> kept;
            try (Stream<Path> files = Files.list(dir.resolve("refused"))) {
                kept = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            }
            assertThat(kept).as("a copy of every refused event").hasSize(denied.size() + 1);
            Path large = kept.stream().filter(f -> f.getFileName().toString().contains("-seq10-")).findFirst().orElseThrow();
            assertThat(Files.readString(large)).contains("\"sequence\":\"" + CloudEventEncoder.sequence(tooLarge) + "\"").contains("x".repeat(1_000));
            assertThat(Files.readString(Path.of(large + ".reason"))).contains("packet too large (149)").contains("at most " + MAX_PACKET);
            Path footfall = kept.stream().filter(f -> f.getFileName().toString().contains("-seq2-")).findFirst().orElseThrow();
            assertThat(Files.readString(Path.of(footfall + ".reason"))).containsAnyOf("not authorized (135)", "connection closed")
                    .contains(DENIED);
        }
    }

    /**
     * One event type the broker's ACL denies, among others: Mosquitto closes the connection on each denied publish, and
     * before, each one cost a reconnect (measured on loopback: 34 events/s, 163 connections a minute). A topic refused
     * as not authorized is refused here for a while, without sending (DeniedTopics).
     */
    @Test
    void aDeniedEventTypeCostsNoConnectionPerEvent() throws Exception {
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"), new TestBroker.Refusing(DENIED, MAX_PACKET));
             UplinkRig rig = UplinkRig.start(broker, broker.uri(), dir, clock, ids, metrics)) {
            List<Event> events = new ArrayList<>();
            Set<Long> denied = new TreeSet<>();
            for (int i = 0; i < 600; i++) {
                boolean footfall = i % 30 == 7;
                events.add(event(footfall ? EventCatalogue.STORE_FOOTFALL : EventCatalogue.VISIT_STARTED, "n" + i));
                if (footfall) {
                    denied.add(i + 1L);
                }
            }
            rig.outbox().append(events).get(10, TimeUnit.SECONDS);

            Await.until(Duration.ofSeconds(60), "the first footfall refused", () -> rig.uplink().refused().count() > 0);
            long atFirstRefusal = metrics.count("storegw_uplink_connects_total");
            Await.until(Duration.ofSeconds(60), "the outbox drained, its refusals reported",
                    () -> rig.outbox().rows() == 0 && rig.central().gapsUpTo(rig.outbox().stats().committedSeq()).isEmpty());
            Map<Long, JsonNode> received = rig.central().events();
            for (long seq = 1; seq <= 600; seq++) {
                assertThat(received.containsKey(seq)).as("event %d", seq).isEqualTo(!denied.contains(seq));
            }
            assertThat(refusedByCode(received).values().stream().flatMap(Set::stream).toList()).as("each denied event reported refused, once")
                    .containsExactlyInAnyOrderElementsOf(denied);
            // Mosquitto closes the connection on the first footfall, often before its PUBACK 135 is read: losses until one
            // is (3 to 6 connections seen, more on a busy machine), then none. Without DeniedTopics: 55.
            assertThat(metrics.count("storegw_uplink_connects_total") - atFirstRefusal).as("connections for the other 19 denied events")
                    .isLessThanOrEqualTo(1);
        }
    }

    @Test
    void anEventRefusedForNowIsSentAgainUntilTheBrokerTakesIt() throws Exception {
        AtomicInteger refusals = new AtomicInteger(3);
        try (TestBroker broker = new HiveMqBroker(TestBroker.freePort(), dir.resolve("broker"), 0, (in, out) -> {
            if (in.getPublishPacket().getTopic().contains("/evt/") && refusals.getAndDecrement() > 0) {
                out.preventPublishDelivery(AckReasonCode.QUOTA_EXCEEDED, "the test's quota");
            }
        });
             UplinkRig rig = UplinkRig.start(broker, broker.uri(), dir, clock, ids, metrics)) {
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                events.add(event(EventCatalogue.VISIT_STARTED, "n" + i));
            }
            rig.outbox().append(events).get(10, TimeUnit.SECONDS);

            assertThat(rig.central().awaitAccountedFor(10, Duration.ofSeconds(30))).as("missing %s", rig.central().gapSummary(10)).isTrue();
            assertThat(rig.central().dropped()).as("nothing reported dropped").isEmpty();
            assertThat(rig.central().events().keySet()).containsAll(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L));
            assertThat(refusals.get()).as("the broker refused three times").isNegative();
            // The first refusal ends the connection; the window's other PUBACKs may be lost with it.
            assertThat(metrics.count("storegw_uplink_publish_failures_total")).as("the refusal counted").isPositive();
            assertThat(rig.uplink().refused().count()).as("none refused for good").isZero();
            Await.until(Duration.ofSeconds(10), "outbox drained", () -> rig.outbox().rows() == 0);
        }
    }

    @Test
    void aRowTheBrokerClosesTheConnectionOnIsFoundAndRefused() throws Exception {
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"));
             HoldingProxy proxy = new HoldingProxy(broker.port());
             UplinkRig rig = UplinkRig.start(broker, proxy.uri(), dir, clock, ids, metrics)) {
            proxy.cutOn("evt/store/footfall"); // as AWS IoT Core answers a publish it refuses: no PUBACK, the connection closed
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                events.add(i == 4 ? event(EventCatalogue.STORE_FOOTFALL, "n" + i) : event(EventCatalogue.VISIT_STARTED, "n" + i));
            }
            rig.outbox().append(events).get(10, TimeUnit.SECONDS);

            Await.until(Duration.ofSeconds(60), "the outbox drained, the refusal reported",
                    () -> rig.outbox().rows() == 0 && rig.central().gapsUpTo(rig.outbox().stats().committedSeq()).isEmpty());
            Map<Long, JsonNode> received = rig.central().events();
            for (long seq = 1; seq <= 40; seq++) {
                assertThat(received.containsKey(seq)).as("event %d", seq).isEqualTo(seq != 5);
            }
            assertThat(refusedByCode(received)).as("reported refused, without a code").isEqualTo(Map.of(0, Set.of(5L)));
            assertThat(metrics.count("storegw_uplink_refused_total", "code", "closed")).isOne();
            // Two losses, then two with the row alone: 5 connections at least. A cut can come before the PUBACKs of the rows
            // sent ahead of it, which makes one of them the oldest and costs a connection more; a loaded CI machine saw 12.
            // The bound is there to catch a row that is never found (a connection for ever), not to count the races.
            assertThat(metrics.count("storegw_uplink_connects_total")).as("two losses, then two with the row alone")
                    .isBetween(5L, 16L);
            assertThat(rig.uplink().refused().last()).contains("connection closed");
        }
    }

    /**
     * A broker that answers a denied publish with a DISCONNECT "not authorized" and no PUBACK: the row found by its
     * losses is refused with that code, and its topic's later events are refused here without costing connections.
     */
    @Test
    void aTopicTheBrokerDisconnectsOnAsNotAuthorizedIsRefusedHere() throws Exception {
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"));
             HoldingProxy proxy = new HoldingProxy(broker.port());
             UplinkRig rig = UplinkRig.start(broker, proxy.uri(), dir, clock, ids, metrics)) {
            proxy.cutOn("evt/store/footfall", 0x87);
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < 120; i++) { // a footfall every tenth, from the fifth
                events.add(i % 10 == 4 ? event(EventCatalogue.STORE_FOOTFALL, "n" + i) : event(EventCatalogue.VISIT_STARTED, "n" + i));
            }
            rig.outbox().append(events).get(10, TimeUnit.SECONDS);

            // The losses it takes to find the first footfall vary with when the broker's PUBACKs for the rows before it
            // arrive (6 to 12 connections seen); once it is found, the topic is refused here and costs no connection.
            Await.until(Duration.ofSeconds(60), "the first footfall refused", () -> rig.uplink().refused().count() > 0);
            long atFirstRefusal = metrics.count("storegw_uplink_connects_total");
            Await.until(Duration.ofSeconds(60), "the outbox drained, the refusals reported",
                    () -> rig.outbox().rows() == 0 && rig.central().gapsUpTo(rig.outbox().stats().committedSeq()).isEmpty());
            Map<Long, JsonNode> received = rig.central().events();
            Set<Long> footfalls = new TreeSet<>();
            for (long seq = 1; seq <= 120; seq++) {
                boolean footfall = seq % 10 == 5;
                assertThat(received.containsKey(seq)).as("event %d", seq).isEqualTo(!footfall);
                if (footfall) {
                    footfalls.add(seq);
                }
            }
            assertThat(refusedByCode(received)).as("reported refused as not authorized").isEqualTo(Map.of(135, footfalls));
            // the connection after the loss that found it, then none: the topic is refused here
            assertThat(metrics.count("storegw_uplink_connects_total") - atFirstRefusal).as("connections for the other 11 denied events")
                    .isLessThanOrEqualTo(1);
        }
    }

    @Test
    void refusedEventsAreSentAgainAsTheyWereOnceTheBrokerTakesThem() throws Exception {
        AtomicBoolean denying = new AtomicBoolean(true);
        try (TestBroker broker = new HiveMqBroker(TestBroker.freePort(), dir.resolve("broker"), 0, (in, out) -> {
            if (denying.get() && in.getPublishPacket().getTopic().startsWith(DENIED)) {
                out.preventPublishDelivery(AckReasonCode.NOT_AUTHORIZED, "not yet");
            }
        });
             UplinkRig rig = UplinkRig.start(broker, broker.uri(), dir, clock, ids, metrics)) {
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < 6; i++) { // footfalls are 2, 4 and 6
                events.add(i % 2 == 1 ? event(EventCatalogue.STORE_FOOTFALL, "n" + i) : event(EventCatalogue.VISIT_STARTED, "n" + i));
            }
            rig.outbox().append(events).get(10, TimeUnit.SECONDS);
            Await.until(Duration.ofSeconds(30), "the footfalls refused and reported",
                    () -> rig.outbox().rows() == 0 && rig.central().gapsUpTo(rig.outbox().stats().committedSeq()).isEmpty());
            assertThat(rig.central().events().keySet()).doesNotContain(2L, 4L, 6L);

            Uplink.Resent still = rig.uplink().resendRefused(10);
            assertThat(still).as("the broker still refuses").extracting(Uplink.Resent::sent, Uplink.Resent::refused, Uplink.Resent::left)
                    .containsExactly(0, 3, 3);
            assertThat(still.problem()).contains("not authorized (135)");

            denying.set(false);
            Uplink.Resent resent = rig.uplink().resendRefused(2);
            assertThat(resent).as("a page of two").extracting(Uplink.Resent::sent, Uplink.Resent::left).containsExactly(2, 1);
            assertThat(rig.uplink().resendRefused(10)).extracting(Uplink.Resent::sent, Uplink.Resent::refused, Uplink.Resent::left,
                    Uplink.Resent::problem).containsExactly(1, 0, 0, null);
            Await.until(Duration.ofSeconds(10), "the footfalls at central", () -> rig.central().events().keySet().containsAll(List.of(2L, 4L, 6L)));
            for (long seq : List.of(2L, 4L, 6L)) {
                assertThat(rig.central().events().get(seq).path("id").asText()).as("sent as it was").isEqualTo(events.get((int) seq - 1).id());
            }
            try (Stream<Path> sent = Files.list(dir.resolve("refused").resolve("sent"))) {
                assertThat(sent.filter(f -> f.toString().endsWith(".json")).count()).isEqualTo(3);
            }
            assertThat(rig.central().conflicts()).isZero();
        }
    }

    /** The sequence numbers each {@code gateway.dropped} of reason {@code refused} names, by its code. */
    private static Map<Integer, Set<Long>> refusedByCode(Map<Long, JsonNode> received) {
        Map<Integer, Set<Long>> byCode = new HashMap<>();
        for (JsonNode event : received.values()) {
            JsonNode data = event.path("data");
            if (event.path("type").asText().equals("io.storegw.gateway.dropped.v1") && data.path("reason").asText().equals("refused")) {
                for (JsonNode range : data.path("ranges")) {
                    for (long s = Long.parseLong(range.path("from").asText()); s <= Long.parseLong(range.path("to").asText()); s++) {
                        byCode.computeIfAbsent(data.path("code").asInt(), c -> new TreeSet<>()).add(s);
                    }
                }
            }
        }
        return byCode;
    }

    private Event event(io.storegw.gateway.event.EventType type, String value) {
        return new Event(ids.next(), type, clock.instant(), "entrance", DataClass.ANONYMOUS, Map.of("value", value));
    }
}
