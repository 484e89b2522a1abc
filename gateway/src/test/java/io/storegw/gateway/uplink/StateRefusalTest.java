package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import io.storegw.drivers.testing.Await;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.Event;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.event.EventIds;
import io.storegw.gateway.event.GatewayIdentity;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.testing.HiveMqBroker;
import io.storegw.gateway.testing.MutableClock;
import io.storegw.gateway.testing.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Central's broker refusing the gateway's state topic (its retained state, its Will) while it takes the events, as a
 * policy that forgot that topic does. Before, against Mosquitto (which closes the connection on a refused publish),
 * the birth sent first on every connection held every event back for ever: 22 connections in 8 s, nothing forwarded.
 */
class StateRefusalTest {

    private static final GatewayIdentity ID = UplinkRig.ID;

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
    final Metrics metrics = new Metrics();
    final EventIds ids = new EventIds(clock);

    @Test
    void eventsGoOnWhileTheBrokerRefusesTheState() throws Exception {
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"), new TestBroker.Refusing(ID.stateTopic(), 1 << 20));
             UplinkRig rig = UplinkRig.start(broker, broker.uri(), dir, clock, ids, metrics)) {
            rig.outbox().append(events(10)).get(10, TimeUnit.SECONDS);
            assertThat(rig.central().awaitAccountedFor(10, Duration.ofSeconds(30))).as("missing %s", rig.central().gapSummary(10)).isTrue();
            assertThat(rig.uplink().stateProblem()).contains("refuses the gateway's state on " + ID.stateTopic()).contains("events go on");
            assertThat(metrics.gauge("storegw_uplink_state_refused")).isEqualTo(1.0);
            long connects = metrics.count("storegw_uplink_connects_total");
            // HiveMQ answers PUBACK 135 and keeps the connection; Mosquitto closes it, so the next connection goes without the birth.
            assertThat(connects).as("no reconnecting for ever").isBetween(1L, 3L);

            rig.outbox().append(events(10)).get(10, TimeUnit.SECONDS);
            assertThat(rig.central().awaitAccountedFor(20, Duration.ofSeconds(30))).as("missing %s", rig.central().gapSummary(20)).isTrue();
            assertThat(metrics.count("storegw_uplink_connects_total")).as("the connection stays").isEqualTo(connects);
            assertThat(rig.central().states()).as("no state reached central").isEmpty();
            assertThat(rig.central().dropped()).as("no event refused").isEmpty();
        }
    }

    @Test
    void theStateIsTriedAgainAfterAWhileAndTakenOnceThePolicyIsPutRight() throws Exception {
        AtomicBoolean denying = new AtomicBoolean(true);
        try (TestBroker broker = new HiveMqBroker(TestBroker.freePort(), dir.resolve("broker"), 0, (in, out) -> {
            if (denying.get() && in.getPublishPacket().getTopic().equals(ID.stateTopic())) {
                out.preventPublishDelivery(AckReasonCode.NOT_AUTHORIZED, "not yet");
            }
        });
             UplinkRig rig = UplinkRig.start(broker, broker.uri(), dir, clock, ids, metrics)) {
            Await.until(Duration.ofSeconds(30), "the state refused", () -> rig.uplink().stateProblem() != null);
            denying.set(false);
            clock.advance(Duration.ofMinutes(14));
            rig.outbox().append(events(1)).get(10, TimeUnit.SECONDS); // wakes the uplink's loop
            assertThat(rig.central().awaitAccountedFor(1, Duration.ofSeconds(30))).isTrue();
            assertThat(rig.uplink().stateProblem()).as("not tried again before 15 minutes").isNotNull();
            assertThat(rig.central().states()).isEmpty();

            clock.advance(Duration.ofMinutes(2));
            Await.until(Duration.ofSeconds(30), "the state taken", () -> rig.uplink().stateProblem() == null);
            Await.until(Duration.ofSeconds(10), "the state at central", () -> rig.central().states().containsKey(ID.stateTopic()));
            assertThat(rig.central().states().get(ID.stateTopic()).path("state").asText()).isEqualTo("online");
            assertThat(metrics.gauge("storegw_uplink_state_refused")).isZero();
            assertThat(metrics.count("storegw_uplink_connects_total")).as("tried again on the same connection").isOne();
        }
    }

    @Test
    void aBrokerThatRefusesTheWillIsConnectedToWithoutIt() throws Exception {
        try (TestBroker broker = HiveMqBroker.refusingWills(TestBroker.freePort(), dir.resolve("broker"));
             UplinkRig rig = UplinkRig.start(broker, broker.uri(), dir, clock, ids, metrics)) {
            rig.outbox().append(events(10)).get(10, TimeUnit.SECONDS);
            assertThat(rig.central().awaitAccountedFor(10, Duration.ofSeconds(30))).as("missing %s", rig.central().gapSummary(10)).isTrue();
            assertThat(rig.uplink().stateProblem()).contains("refuses the gateway's Will").contains("connects go without it");
            Await.until(Duration.ofSeconds(10), "the state at central", () -> rig.central().states().containsKey(ID.stateTopic()));
            assertThat(metrics.count("storegw_uplink_connects_total")).isOne();
        }
    }

    private List<Event> events(int n) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(new Event(ids.next(), EventCatalogue.VISIT_STARTED, clock.instant(), "entrance", DataClass.ANONYMOUS, Map.of("n", i)));
        }
        return events;
    }
}
