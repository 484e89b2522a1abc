package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.testing.Await;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.ConfigLoader;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.Event;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.event.EventIds;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.outbox.Outbox;
import io.storegw.gateway.testing.BrokerAndCentral;
import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.gateway.testing.HoldingProxy;
import io.storegw.gateway.testing.MosquittoBroker;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The store's WAN link at its worst: dark (packets vanish both ways, nothing is closed), or slow. */
class PoorLinkTest {

    @TempDir
    Path dir;
    private final Clock clock = Clock.systemUTC();
    private final Metrics metrics = new Metrics();
    private final EventIds ids = new EventIds(clock);
    @RegisterExtension
    final BrokerAndCentral rig = new BrokerAndCentral(() -> dir.resolve("broker"));

    @Test
    void aLinkThatGoesDarkIsNoticedByItsKeepAliveAndNothingIsLost() throws Exception {
        try (HoldingProxy link = new HoldingProxy(rig.broker().port())) {
            String yaml = TestConfigs.yaml(dir.resolve("gw"), link.uri(), 1_000, 0, "").replace("keepAlive: 5s", "keepAlive: 2s");
            try (Gateway gw = Gateway.start(ConfigLoader.parse("test.yaml", yaml, dir), Clock.systemUTC())) {
                Await.until(Duration.ofSeconds(30), "events flowing", () -> rig.central().events().size() > 200);
                link.darken();
                Await.until(Duration.ofSeconds(30), "the dead link noticed", () -> !gw.uplink().connected()); // about 4 s
                // the loop tells the reason once the lost client is discarded (up to 1 s on a dark link) and Paho has said why
                Await.until(Duration.ofSeconds(15), "the reason told", () -> String.valueOf(gw.problem()).contains("keep-alive"));
                long atNotice = gw.outbox().stats().committedSeq();
                Await.until(Duration.ofSeconds(30), "events queued in the dark", () -> gw.outbox().stats().committedSeq() > atNotice + 300);
                Await.until(Duration.ofSeconds(40), "a connect in the dark given up", () -> String.valueOf(gw.problem()).contains("no answer to the connection"));
                link.lighten();
                Await.until(Duration.ofSeconds(60), "reconnected", () -> gw.uplink().connected());
                long committed = gw.outbox().stats().committedSeq();
                assertThat(rig.central().awaitAccountedFor(committed, Duration.ofSeconds(60)))
                        .as("missing %s", rig.central().gapSummary(committed)).isTrue();
                assertThat(rig.central().dropped()).isEmpty();
                assertThat(rig.central().conflicts()).isZero();
                assertThat(gw.metrics().gauge("storegw_uplink_keepalive_seconds")).as("a dark link is no slow one").isEqualTo(2);
            }
        }
    }

    /**
     * A broker that takes publishes and acknowledges none, while it answers PINGREQs: the keep-alive never ends the
     * connection, so four keep-alives without a PUBACK do, and the events go again on the next one.
     */
    @Test
    void aBrokerThatStopsAcknowledgingIsLeftAfterFourKeepAlivesAndNothingIsLost() throws Exception {
        try (HoldingProxy link = new HoldingProxy(rig.broker().port())) {
            String yaml = TestConfigs.yaml(dir.resolve("gw"), link.uri(), 500, 0, "").replace("keepAlive: 5s", "keepAlive: 2s");
            try (Gateway gw = Gateway.start(ConfigLoader.parse("test.yaml", yaml, dir), Clock.systemUTC())) {
                Await.until(Duration.ofSeconds(30), "events flowing", () -> rig.central().events().size() > 200);
                long connects = gw.metrics().count("storegw_uplink_connects_total");
                link.swallowPubacks(true);
                long swallowed = System.nanoTime();
                Await.until(Duration.ofSeconds(30), "the silent broker left",
                        () -> String.valueOf(gw.problem()).contains("acknowledged none of"));
                assertThat(Duration.ofNanos(System.nanoTime() - swallowed)).as("four keep-alives of 2 s, not the keep-alive's loss")
                        .isGreaterThanOrEqualTo(Duration.ofSeconds(8));
                link.swallowPubacks(false);
                Await.until(Duration.ofSeconds(60), "reconnected and acknowledged",
                        () -> gw.uplink().connected() && gw.metrics().count("storegw_uplink_connects_total") > connects);
                long committed = gw.outbox().stats().committedSeq();
                assertThat(rig.central().awaitAccountedFor(committed, Duration.ofSeconds(60)))
                        .as("missing %s", rig.central().gapSummary(committed)).isTrue();
                assertThat(rig.central().dropped()).isEmpty();
                assertThat(rig.central().conflicts()).isZero();
                assertThat(gw.uplink().refused().count()).as("no row blamed for this side's disconnect").isZero();
            }
        }
    }

    /**
     * Paho says so too, through java.util.logging: {@code storegw run} sends that to the gateway's log, in its format.
     * The connects that fail in the dark are said once, not at every attempt, and the connection after counts them.
     */
    @Test
    void theDarkLinkInTheGatewaysLogInItsFormatOncePerReason() throws Exception {
        Path log = dir.resolve("gateway.log");
        try (HoldingProxy link = new HoldingProxy(rig.broker().port())) {
            String yaml = TestConfigs.yaml(dir.resolve("gw"), link.uri(), 50, 0, "").replace("keepAlive: 5s", "keepAlive: 2s");
            Files.createDirectories(dir.resolve("gw"));
            Process child = GatewayProcess.start(Files.writeString(dir.resolve("gw").resolve("storegw.yaml"), yaml), log);
            try {
                Await.until(Duration.ofSeconds(60), "connected", () -> says(log, "Uplink connected"));
                link.darken();
                try {
                    Await.until(Duration.ofSeconds(30), "the dead link noticed", () -> says(log, "lost: no answer"));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\ngateway log:\n" + GatewayProcess.tail(log), e);
                }
                Await.until(Duration.ofSeconds(30), "a connect in the dark given up", () -> says(log, ": no answer to the connection"));
                // The third attempt in the dark has begun: two have failed (about 10 s each), one of them said.
                Await.until(Duration.ofSeconds(40), "a third attempt in the dark", () -> link.connectionsInTheDark() >= 3);
                link.lighten();
                Await.until(Duration.ofSeconds(30), "reconnected", () -> says(log, "failed attempts in"));
                List<String> lines = Files.readAllLines(log);
                assertThat(lines).as("Paho's line, in the gateway's format").anySatisfy(line ->
                        assertThat(line).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} ERROR \\[.*\\] .*Timed out as no .*"));
                assertThat(lines).as("nothing in JUL's format").noneMatch(line -> line.startsWith("SEVERE:"));
                assertThat(lines.stream().filter(line -> line.contains(": no answer to the connection"))).as("said once").hasSize(1);
                assertThat(lines).as("the connection after counts the attempts").anySatisfy(line ->
                        assertThat(line).containsPattern("Uplink connected .*, after ([2-9]|\\d\\d+) failed attempts in"));
            } finally {
                child.destroy();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    /**
     * Events that take longer to send than two keep-alives: Paho's PINGREQ waits behind them, the keep-alive times out
     * and the event was sent again from its first byte, for ever. The keep-alive is stretched until they are through.
     */
    @Test
    void eventsLongerToSendThanTheKeepAliveGetThroughASlowLink() throws Exception {
        try (HoldingProxy link = new HoldingProxy(rig.broker().port());
             Outbox outbox = outboxOfLargeSales(2, 100_000)) {
            link.throttle(20_000); // 160 kbit/s: each event takes about 5 s, five keep-alives
            Uplink uplink = uplink(link.uri(), Duration.ofSeconds(1), outbox);
            try {
                uplink.start();
                assertThat(rig.central().awaitAccountedFor(2, Duration.ofSeconds(90))).as("missing %s", rig.central().gapSummary(2)).isTrue();
                assertThat(metrics.gauge("storegw_uplink_keepalive_seconds")).as("the keep-alive that carried them").isGreaterThanOrEqualTo(4);
                assertThat(metrics.count("storegw_uplink_connects_total")).as("connections it took").isLessThanOrEqualTo(8);
            } finally {
                uplink.close();
            }
        }
    }

    /**
     * The same with large events: 2 MB of them in flight is all the uplink sends before their PUBACKs (here 7 of
     * 300 KB, with places left in the window), so it waits for those, and must still notice that none come.
     */
    @Test
    void aSilentBrokerIsLeftAlsoWhenLargeEventsFillTheUplinksBudget() throws Exception {
        try (HoldingProxy link = new HoldingProxy(rig.broker().port());
             Outbox outbox = outboxOfLargeSales(15, 300_000)) {
            link.swallowPubacks(true);
            // A keep-alive of 2 s, not 1: HiveMQ ends a connection that has not finished a packet within 1.5 keep-alives,
            // and on a busy machine 300 KB publishes through the relay took longer than 1.5 s (reason 141, again and
            // again, before the watch's four keep-alives were up).
            Uplink uplink = uplink(link.uri(), Duration.ofSeconds(2), outbox);
            try {
                uplink.start();
                Await.until(Duration.ofSeconds(60), "the silent broker left", () -> String.valueOf(uplink.problem()).contains("acknowledged none of"));
                link.swallowPubacks(false);
                assertThat(rig.central().awaitAccountedFor(15, Duration.ofSeconds(60))).as("missing %s", rig.central().gapSummary(15)).isTrue();
                assertThat(uplink.refused().count()).as("no row blamed for this side's disconnect").isZero();
            } finally {
                uplink.close();
            }
        }
    }

    /** MQTT 5 lets the broker set the keep-alive in its CONNACK (Server Keep Alive); Paho keeps to it, and so must what is told. */
    @Test
    @EnabledIfSystemProperty(named = "storegw.test.broker", matches = "mosquitto")
    void aKeepAliveTheBrokerSetsIsTheOneToldAndShown() throws Exception {
        try (MosquittoBroker capped = new MosquittoBroker(TestBroker.freePort(), dir.resolve("capped"), List.of("max_keepalive 10"));
             Outbox outbox = UplinkRig.outbox(dir, clock, ids, metrics)) {
            capped.start();
            Uplink uplink = uplink(capped.uri(), Duration.ofSeconds(30), outbox);
            try {
                uplink.start();
                Await.until(Duration.ofSeconds(30), "connected", uplink::connected);
                assertThat(metrics.gauge("storegw_uplink_keepalive_seconds")).isEqualTo(10);
            } finally {
                uplink.close();
            }
        }
    }

    /** An outbox holding {@code count} sales of about {@code padBytes} bytes each. */
    private Outbox outboxOfLargeSales(int count, int padBytes) throws Exception {
        Outbox outbox = UplinkRig.outbox(dir, clock, ids, metrics);
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(new Event(ids.next(), EventCatalogue.POS_TRANSACTION_COMPLETED, clock.instant(), "till-1", DataClass.ANONYMOUS,
                    Map.of("n", i, "pad", "x".repeat(padBytes))));
        }
        outbox.append(events).get(10, TimeUnit.SECONDS);
        return outbox;
    }

    /** An uplink of its own (the tests above that start a gateway use the gateway's). */
    private Uplink uplink(String uri, Duration keepAlive, Outbox outbox) {
        return new Uplink(new Uplink.Settings(uri, "gw1", null, null, null, null, null, keepAlive, 20,
                Duration.ofMillis(100), Duration.ofSeconds(1)), UplinkRig.ID, outbox, "test", clock, metrics, dir.resolve("refused"));
    }

    private static boolean says(Path log, String text) {
        try {
            return Files.readString(log).contains(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
