package io.storegw.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.testing.Await;
import io.storegw.gateway.testing.AdminClient;
import io.storegw.gateway.testing.Central;
import io.storegw.gateway.testing.FileSizeLimit;
import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.gateway.testing.PosLogs;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk fills up under the outbox while the uplink is down, then space is freed: the gateway keeps running,
 * tells tills to come back while it cannot write, takes their sales again without a restart once it can, and
 * every sale it acknowledged reaches central, with an alarm that says what happened.
 *
 * <p>A full disk is made with the child JVM's file-size limit ({@link FileSizeLimit}). H2 closes its store on a failed write; before the outbox opened it again, every commit after the
 * first failure failed, also once space was freed, until the gateway was restarted.
 */
class DiskFullTest {

    private static final String SALE = "io.storegw.pos.transaction.completed.v1";
    private static final String ALARM = "io.storegw.gateway.alarm.v1";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int tillPort = TestBroker.freePort();

    @Test
    void tillsAreToldToComeBackWhileTheDiskIsFullAndEveryAcknowledgedSaleArrivesOnceThereIsSpace() throws Exception {
        int adminPort = TestBroker.freePort();
        Path tokens = TestConfigs.tillTokens(dir.resolve("pos-tokens"), 1);
        Path outboxFile = dir.resolve("gw").resolve("outbox.mv");
        Path log = dir.resolve("gateway.log");
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"));
             Central central = Central.subscribedBeforeOutage(broker, "central-disk-full")) {
            Path config = Files.writeString(dir.resolve("storegw.yaml"), TestConfigs.withSources(
                    TestConfigs.yaml(dir.resolve("gw"), broker.uri(), 0, 0, "timeZone: Europe/Berlin\n"),
                    TestConfigs.posHttp(tillPort, tokens)).replace("port: 0", "port: " + adminPort));
            AdminClient admin = new AdminClient(adminPort);
            Process gateway = GatewayProcess.start(config, log);
            try {
                TestBroker.awaitListening(tillPort, Duration.ofSeconds(60));
                List<Integer> acknowledged = new ArrayList<>();
                int seq = 1;
                for (; seq <= 3; seq++) {
                    assertThat(post(seq)).as("sale %d before the disk fills", seq).isEqualTo(202);
                    acknowledged.add(seq);
                }

                // The disk fills: the outbox file may grow by 256 KB more, about two of these sales.
                FileSizeLimit.set(gateway, Files.size(outboxFile) + (256 << 10));
                int status;
                while ((status = post(seq)) == 202) {
                    acknowledged.add(seq++);
                    assertThat(seq).as("sales taken with the disk full").isLessThan(40);
                }
                assertThat(status).as("sale %d with the disk full", seq).isEqualTo(503);
                assertThat(admin.get("/healthz").statusCode()).isEqualTo(503);
                // "outbox commit failed: ..." right after a failure, "outbox could not write N s ago (...)" once an empty commit held
                assertThat(admin.get("/healthz").body()).contains("outbox", "File too large");
                assertThat(admin.metric("storegw_outbox_write_failures_total").orElse(0)).isPositive();
                Thread.sleep(3_000); // a few more failed commits and reopens
                assertThat(post(seq)).as("still full").isEqualTo(503);
                assertThat(gateway.isAlive()).isTrue();

                // Space is freed: the same gateway takes the refused sale, sent again, and the ones after it.
                FileSizeLimit.set(gateway, -1);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while ((status = post(seq)) == 503 && System.nanoTime() < deadline) {
                    Thread.sleep(1_000); // a till waits for its Retry-After
                }
                assertThat(status).as("the refused sale %d sent again once there is space", seq).isEqualTo(202);
                acknowledged.add(seq++);
                for (int more = 0; more < 3; more++, seq++) {
                    assertThat(post(seq)).as("sale %d after space was freed", seq).isEqualTo(202);
                    acknowledged.add(seq);
                }

                broker.start();
                Await.until(Duration.ofSeconds(60), "every acknowledged sale at central",
                        () -> events(central, SALE).size() == acknowledged.size());
                assertThat(events(central, SALE)).extracting(e -> e.path("data").path("sequenceNumber").asInt())
                        .containsExactlyInAnyOrderElementsOf(acknowledged);
                long committed = (long) admin.metric("storegw_outbox_committed_sequence").orElseThrow();
                assertThat(central.awaitAccountedFor(committed, Duration.ofSeconds(30))).as(central.gapSummary(committed)).isTrue();
                assertThat(central.dropped()).isEmpty();
                // One alarm for the spell, once commits have held for a while; the health check said so until then.
                Await.until(Duration.ofSeconds(60), "the alarm at central", () -> events(central, ALARM).size() > 1);
                List<JsonNode> alarms = events(central, ALARM);
                assertThat(alarms).extracting(a -> a.path("data").path("kind").asText()).as("the first start's, and the spell's")
                        .containsExactlyInAnyOrder("sequence.started", "outbox.unwritable");
                assertThat(alarms).filteredOn(a -> a.path("data").path("kind").asText().equals("outbox.unwritable")).singleElement()
                        .satisfies(a -> assertThat(a.path("data").path("detail").asText()).contains("File too large", "refusing"));
                Await.until(Duration.ofSeconds(5), "healthy", () -> health(admin) == 200);
                assertThat(gateway.isAlive()).as("the same gateway, never restarted").isTrue();
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\ngateway log:\n" + GatewayProcess.tail(log), e);
            } finally {
                gateway.destroy();
                gateway.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** A sale of 1,000 lines (about 120 KB) from till-1, as number {@code seq}; the answer's status. */
    private int post(int seq) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tillPort + "/pos/v1/poslog"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TestConfigs.tillToken(1))
                .POST(HttpRequest.BodyPublishers.ofString(PosLogs.sale(1, seq, 1_000), StandardCharsets.UTF_8)).build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static int health(AdminClient admin) {
        try {
            return admin.get("/healthz").statusCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<JsonNode> events(Central central, String type) {
        return central.events().values().stream().filter(e -> e.path("type").asText().equals(type)).toList();
    }
}
