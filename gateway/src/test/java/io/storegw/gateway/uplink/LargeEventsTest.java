package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.Event;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.event.EventIds;
import io.storegw.gateway.event.GatewayIdentity;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.outbox.Outbox;
import io.storegw.gateway.testing.Central;
import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backlog of the largest events the outbox takes, drained by the gateway in a child JVM with the
 * appliance's heap: what it holds in memory for the uplink is bounded in bytes, not only in rows.
 */
class LargeEventsTest {

    private static final int EVENTS = 150;

    @TempDir
    Path dir;

    @Test
    void aBacklogOfTheLargestEventsIsForwardedWithinTheAppliancesHeap() throws Exception {
        Path state = dir.resolve("gw");
        GatewayIdentity id = new GatewayIdentity("acme", "s042", "gw1");
        EventIds ids = new EventIds(Clock.systemUTC());
        String pad = "x".repeat(900_000);
        try (Outbox outbox = Outbox.open(new Outbox.Settings(state.resolve("outbox"), 1L << 30, Duration.ZERO, Map.of(),
                Duration.ofDays(7)), id, ids, Clock.systemUTC(), new Metrics())) {
            for (int i = 0; i < EVENTS; i++) {
                outbox.append(List.of(new Event(ids.next(), EventCatalogue.POS_TRANSACTION_COMPLETED, Clock.systemUTC().instant(),
                        "till-1", DataClass.ANONYMOUS, Map.of("n", i, "pad", pad)))).get(30, TimeUnit.SECONDS);
            }
        }
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            try (Central central = new Central(broker.uri(), "central-large")) {
                Path config = Files.writeString(dir.resolve("storegw.yaml"),
                        TestConfigs.withSources(TestConfigs.yaml(state, broker.uri(), 0, 0, ""), ""));
                Process gateway = GatewayProcess.start(config, dir.resolve("gateway.log"));
                try {
                    boolean all = central.awaitAccountedFor(EVENTS, Duration.ofSeconds(120));
                    assertThat(gateway.isAlive()).as("the gateway is still running; its log:\n%s", tail(dir.resolve("gateway.log"))).isTrue();
                    assertThat(all).as("missing %s", central.gapSummary(EVENTS)).isTrue();
                } finally {
                    gateway.destroy();
                    gateway.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static String tail(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
