package io.storegw.gateway.presence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.testing.Await;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.outbox.OutboxRow;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member is in the store when the gateway restarts: the same H2 file is reopened by a new gateway,
 * the visit carries on, and central gets one {@code visit.started} and one {@code visit.ended} for it.
 */
class VisitRestartTest {

    @TempDir
    Path dir;

    @Test
    void aVisitOpenAcrossARestartIsStartedOnceAndEndedOnce() throws Exception {
        // nothing listens on the broker port: every event stays in the outbox, where we read it
        GatewayConfig config = TestConfigs.withoutSources(dir, "tcp://127.0.0.1:" + TestBroker.freePort(), """
                presence:
                  zones:
                    - {name: entrance, receivers: [door]}
                    - {name: aisles, receivers: [aisle]}
                  window: 1s
                  wins: 1
                  minDwell: 2s
                  exitAfter: 2s
                  visitEndAfter: 4s
                """);
        try (Gateway gw = Gateway.start(config, Clock.systemUTC())) {
            hear(gw, "door", Instant.now().minusSeconds(6), 6);
            Await.until(Duration.ofSeconds(20), "visit.started", () -> !events(gw, "visit.started").isEmpty());
        }
        try (Gateway gw = Gateway.start(config, Clock.systemUTC())) {
            hear(gw, "aisle", Instant.now(), 4);
            Await.until(Duration.ofSeconds(30), "visit.ended", () -> !events(gw, "visit.ended").isEmpty());
            List<JsonNode> started = events(gw, "visit.started");
            assertThat(started).as("one visit, though the gateway restarted during it").hasSize(1);
            JsonNode ended = events(gw, "visit.ended").get(0).path("data");
            assertThat(ended.path("visitId").asText()).isEqualTo(started.get(0).path("data").path("visitId").asText());
            assertThat(ended.path("zones").findValuesAsText("zone")).containsExactly("entrance", "aisles");
            assertThat(events(gw, "presence.zone.entered")).extracting(e -> e.path("data").path("zone").asText())
                    .containsExactly("entrance", "aisles");
            assertThat(gw.outbox().saved(ZoneTracker.SAVED_PREFIX, ZoneTracker.OpenVisit.class)).as("the ended visit is forgotten").isEmpty();
        }
    }

    /** One advertisement a second from member m-7 at one receiver. */
    private static void hear(Gateway gw, String receiver, Instant from, int seconds) throws Exception {
        for (int i = 0; i < seconds; i++) {
            gw.core().accept(new BleSighting(from.plusSeconds(i), receiver, "member:m-7", -55, -59)).toCompletableFuture().get();
        }
    }

    private static List<JsonNode> events(Gateway gw, String type) {
        List<JsonNode> out = new ArrayList<>();
        try {
            for (OutboxRow row : gw.outbox().read(0, 100_000, Long.MAX_VALUE)) {
                JsonNode e = CloudEventEncoder.JSON.readTree(row.payload());
                if (e.path("type").asText().equals("io.storegw." + type + ".v1")) {
                    out.add(e);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
