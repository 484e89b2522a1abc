package io.storegw.gateway.pos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.testing.Await;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.ConfigLoader;
import io.storegw.gateway.testing.BrokerAndCentral;
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
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A till posting real POSLog files over HTTP, and writing one into the spool folder, to a real gateway,
 * a real broker and an independent subscriber: every transaction arrives exactly once.
 */
class PosHttpEndToEndTest {

    static final Path SAMPLES = Path.of("..", "device-drivers", "src", "test", "resources", "pos");
    static final String TOKEN = "till-7-token-0123456789abcdef";

    @TempDir
    Path dir;
    @RegisterExtension
    final BrokerAndCentral rig = new BrokerAndCentral(() -> dir.resolve("broker"));
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void everyAcceptedTransactionArrivesOnceEvenWhenTheTillSendsItAgain() throws Exception {
        int port = TestBroker.freePort();
        try (Gateway gw = startWithTillPortAndSpool(port)) {
            byte[] roqqio = Files.readAllBytes(SAMPLES.resolve("roqqio_sale_with_customer.xml"));
            byte[] ncr = Files.readAllBytes(SAMPLES.resolve("ncr_acs_SMALL.xml"));
            for (byte[] body : List.of(roqqio, roqqio, ncr)) { // the second roqqio: a re-send after a lost answer
                HttpResponse<String> r = post(port, body);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            }
            assertThat(post(port, "<POSLog><Transaction>".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(400);

            Await.until(Duration.ofSeconds(30), "two transactions at central", () -> posEvents().size() >= 2);
            Thread.sleep(1_000); // a duplicate would have arrived by now
            List<JsonNode> pos = posEvents();
            assertThat(pos).extracting(e -> e.path("data").path("sequenceNumber").asLong()).containsExactlyInAnyOrder(2L, 161L);
            assertThat(pos).allSatisfy(e -> assertThat(e.toString()).doesNotContain("T220001293", "Erika", "0000000000000040000066677"));
            assertThat(gw.metrics().count("storegw_outbox_duplicates_total")).isEqualTo(1);

            // The same sale again, written into the spool folder by a till's file export: counted once.
            Path spool = dir.resolve("gw").resolve("pos").resolve("spool");
            Files.move(Files.write(spool.resolve("export.xml.tmp"), roqqio), spool.resolve("export.xml"));
            Await.until(Duration.ofSeconds(30), "the spool file done", () -> Files.exists(spool.resolve("done").resolve("export.xml")));
            Thread.sleep(1_000);
            assertThat(posEvents()).hasSize(2);
            assertThat(gw.metrics().count("storegw_outbox_duplicates_total")).isEqualTo(2);
            assertThat(gw.metrics().count("storegw_bad_input_total", "source", "pos-http", "reason", "malformed")).isEqualTo(1);
            assertThat(gw.problem()).isNull();
            try (var kept = Files.list(dir.resolve("gw").resolve("pos").resolve("dead-letter"))) {
                assertThat(kept.count()).as("the refused body and its reason").isEqualTo(2);
            }
        }
    }

    @Test
    void aSaleTooLargeForAnyEventIsRefusedForGoodAndTheTillPortGoesOn() throws Exception {
        int port = TestBroker.freePort();
        // 15,000 lines: a document under the 2 MB a till may send, whose event is over the 1,000,000 bytes a row takes.
        String huge = PosLogs.sale(7, 1, 15_000);
        assertThat(huge.length()).isLessThan(2_000_000);
        try (Gateway gw = startWithTillPortAndSpool(port)) {
            HttpResponse<String> refused = post(port, huge.getBytes(StandardCharsets.UTF_8));
            assertThat(refused.statusCode()).as("not 503: sending it again would never help").isEqualTo(422);
            assertThat(refused.body()).contains("larger than the outbox takes");

            Path spool = dir.resolve("gw").resolve("pos").resolve("spool");
            Files.move(Files.writeString(spool.resolve("big.xml.tmp"), huge), spool.resolve("big.xml"));
            Await.until(Duration.ofSeconds(30), "the spool file failed", () -> Files.exists(spool.resolve("failed").resolve("big.xml.reason")));
            assertThat(Files.readString(spool.resolve("failed").resolve("big.xml.reason"))).contains("larger than the outbox takes");

            assertThat(post(port, Files.readAllBytes(SAMPLES.resolve("roqqio_sale_with_customer.xml"))).statusCode()).isEqualTo(202);
            Await.until(Duration.ofSeconds(30), "the next sale at central", () -> posEvents().size() == 1);
            assertThat(gw.metrics().count("storegw_outbox_too_large_total")).isEqualTo(2);
            assertThat(gw.metrics().count("storegw_bad_input_total", "source", "pos-http", "reason", "unprocessable")).isEqualTo(1);
            assertThat(gw.metrics().count("storegw_bad_input_total", "source", "pos-spool", "reason", "unprocessable")).isEqualTo(1);
            try (var kept = Files.list(dir.resolve("gw").resolve("pos").resolve("dead-letter"))) {
                assertThat(kept.count()).as("the refused body and its reason").isEqualTo(2);
            }
        }
    }

    /** A gateway taking till-7's documents on {@code port} and files from its spool folder. */
    private Gateway startWithTillPortAndSpool(int port) throws Exception {
        Path tokens = Files.writeString(dir.resolve("pos-tokens"), "# till, token\ntill-7 " + TOKEN + "\n");
        String yaml = TestConfigs.withSources(TestConfigs.yaml(dir.resolve("gw"), rig.broker().uri(), 0, 0, "timeZone: America/New_York\n"),
                TestConfigs.posHttp(port, tokens) + """
                            spool:
                              enabled: true
                              poll: 100ms
                        """);
        return Gateway.start(ConfigLoader.parse("test.yaml", yaml, dir), Clock.systemUTC());
    }

    private HttpResponse<String> post(int port, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/pos/v1/poslog"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private List<JsonNode> posEvents() {
        return rig.central().events().values().stream()
                .filter(e -> e.path("type").asText().equals("io.storegw.pos.transaction.completed.v1")).toList();
    }
}
