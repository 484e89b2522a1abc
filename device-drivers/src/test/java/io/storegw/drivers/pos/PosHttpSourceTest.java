package io.storegw.drivers.pos;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.observation.PosTransaction;
import io.storegw.drivers.source.RecordingSink;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosHttpSourceTest {

    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final RecordingSink sink = new RecordingSink();
    final List<Observation> taken = sink.taken;
    final Map<String, Integer> refused = sink.refused;
    PosHttpSource source;
    byte[] roqqio;

    @BeforeEach
    void start() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/pos/roqqio_sale_with_customer.xml")) {
            roqqio = in.readAllBytes();
        }
        source = new PosHttpSource(new PosHttpSource.Settings("127.0.0.1", 0, 64 * 1024, Map.of("s3cret-till-7", "till-7"),
                dir.resolve("dead-letter"), PosLogParser.Settings.of(ZoneId.of("Europe/Berlin"))), Clock.systemUTC());
        source.start(sink);
        assertThat(source.problem()).isNull();
    }

    @AfterEach
    void stop() {
        source.close();
    }

    HttpResponse<String> post(String token, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + source.port() + "/pos/v1/poslog"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void acceptedOnlyOnceDurable() throws Exception {
        sink.durable = new CompletableFuture<>();
        CompletableFuture<HttpResponse<String>> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return post("s3cret-till-7", roqqio);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(500);
        assertThat(answer).as("no answer before the outbox has it").isNotDone();
        assertThat(taken).singleElement().extracting(o -> ((PosTransaction) o).sequenceNumber()).isEqualTo(2L);
        sink.durable.complete(null);
        HttpResponse<String> r = answer.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).isEqualTo("{\"accepted\":1,\"skipped\":0}\n");
    }

    @Test
    void badInputIs400WithTheReasonAndTheBodyKept() throws Exception {
        byte[] hostile = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><POSLog>&e;</POSLog>".getBytes();
        HttpResponse<String> r = post("s3cret-till-7", hostile);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("DOCTYPE is not allowed");
        try (var files = Files.list(dir.resolve("dead-letter"))) {
            List<Path> kept = files.sorted().toList();
            assertThat(kept).hasSize(2);
            assertThat(kept.get(0).getFileName().toString()).endsWith("-till-7-1.xml");
            assertThat(Files.readAllBytes(kept.get(0))).isEqualTo(hostile);
            assertThat(Files.readString(kept.get(1))).startsWith("DOCTYPE is not allowed");
        }
        assertThat(taken).isEmpty();
        assertThat(refused).containsEntry("pos-http/malformed", 1);
    }

    @Test
    void unknownTokensTooLargeBodiesAndPushBack() throws Exception {
        assertThat(post(null, roqqio).statusCode()).isEqualTo(401);
        HttpResponse<String> wrong = post("guess", roqqio);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"storegw-pos\"");
        assertThat(post("s3cret-till-7", new byte[100 * 1024]).statusCode()).isEqualTo(413);
        sink.durable = CompletableFuture.failedFuture(new IllegalStateException("outbox full: 1048576 bytes of critical events waiting"));
        HttpResponse<String> later = post("s3cret-till-7", roqqio);
        assertThat(later.statusCode()).isEqualTo(503);
        assertThat(later.headers().firstValue("Retry-After")).contains("5");
        assertThat(later.body()).contains("outbox full");
        assertThat(refused).containsEntry("pos-http/unauthorized", 2).containsEntry("pos-http/too-large", 1)
                .containsEntry("pos-http/pushed-back", 1);
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + source.port() + "/pos/v1/poslog")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        HttpResponse<String> elsewhere = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + source.port() + "/x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(elsewhere.statusCode()).isEqualTo(404);
    }
}
