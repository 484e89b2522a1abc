package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.testing.Await;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.Event;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.event.EventIds;
import io.storegw.gateway.event.GatewayIdentity;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.outbox.Outbox;
import io.storegw.gateway.testing.BrokerAndCentral;
import io.storegw.gateway.testing.HoldingProxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consent revoked while the uplink has a window in flight and more rows read ahead: only what was
 * already handed to the broker may still reach central. The broker's PUBACKs are held back meanwhile,
 * so the rows read ahead are still waiting to be handed on by a PUBACK when the purge comes.
 */
class RevokedConsentInFlightTest {

    private static final GatewayIdentity ID = new GatewayIdentity("acme", "s042", "gw1");
    /** Small, so most of the uplink's read (32 rows) waits read ahead while the window is full. */
    private static final int WINDOW = 4;
    private static final int EVENTS = 40;

    @TempDir
    Path dir;
    @RegisterExtension
    final BrokerAndCentral rig = new BrokerAndCentral(() -> dir.resolve("broker"));
    final Clock clock = Clock.systemUTC();
    final Metrics metrics = new Metrics();

    @Test
    void rowsReadAheadAreNotSentAfterTheirMembersConsentIsRevoked() throws Exception {
        EventIds ids = new EventIds(clock);
        try (Outbox outbox = Outbox.open(new Outbox.Settings(dir.resolve("outbox"), 64 << 20, Duration.ZERO, Map.of(),
                        Duration.ofDays(7)), ID, ids, clock, metrics);
             HoldingProxy proxy = new HoldingProxy(rig.broker().port());
             Uplink uplink = new Uplink(new Uplink.Settings(proxy.uri(), "gw1", null, null, null, null, null,
                     Duration.ofSeconds(30), WINDOW, Duration.ofMillis(100), Duration.ofSeconds(1)), ID, outbox, "test", clock, metrics,
                     dir.resolve("refused"))) {
            uplink.start();
            Await.until(Duration.ofSeconds(30), "connected, the birth message acknowledged",
                    () -> uplink.connected() && metrics.gauge("storegw_uplink_inflight") == 0);
            proxy.hold();

            List<Event> events = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) { // odd sequence numbers are about m-1, even ones about m-2
                String member = i % 2 == 0 ? "m-1" : "m-2";
                events.add(new Event(ids.next(), EventCatalogue.VISIT_STARTED, clock.instant(), member, DataClass.PSEUDONYMOUS,
                        Map.of("n", i), member));
            }
            outbox.append(events).get(10, TimeUnit.SECONDS);
            Await.until(Duration.ofSeconds(10), "the window full, its PUBACKs held",
                    () -> metrics.gauge("storegw_uplink_inflight") == WINDOW);
            assertThat(metrics.count("storegw_uplink_published_total")).isZero();

            // Rows 1-4 are with the broker; 5-32 are read ahead, each waiting for a PUBACK to hand it on.
            assertThat(outbox.forget("m-1").get(10, TimeUnit.SECONDS)).isEqualTo(EVENTS / 2);
            proxy.release();

            long last = outbox.stats().committedSeq();
            assertThat(last).as("the events and the consent report").isEqualTo(EVENTS + 1);
            assertThat(rig.central().awaitAccountedFor(last, Duration.ofSeconds(30))).as("missing %s", rig.central().gapSummary(last)).isTrue();
            Map<Long, JsonNode> received = rig.central().events();
            List<Long> aboutRevoked = received.entrySet().stream()
                    .filter(e -> "m-1".equals(e.getValue().path("subject").asText())).map(Map.Entry::getKey).sorted().toList();
            assertThat(aboutRevoked).as("only rows handed to the broker before the revocation").allMatch(seq -> seq <= WINDOW);
            assertThat(received.keySet()).as("every event about m-2")
                    .containsAll(LongStream.rangeClosed(1, EVENTS / 2).map(k -> 2 * k).boxed().toList());
            assertThat(rig.central().dropped()).as("every event about m-1 reported, sent or not")
                    .containsAll(LongStream.rangeClosed(1, EVENTS / 2).map(k -> 2 * k - 1).boxed().toList());
            Await.until(Duration.ofSeconds(10), "outbox drained", () -> outbox.stats().rows() == 0);
        }
    }
}
