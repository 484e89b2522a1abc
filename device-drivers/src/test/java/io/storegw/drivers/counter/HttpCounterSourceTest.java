package io.storegw.drivers.counter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpServer;
import io.storegw.drivers.observation.DeviceStatus;
import io.storegw.drivers.observation.DoorCounts;
import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.source.RecordingSink;
import io.storegw.drivers.testing.Mutations;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real HTTP server answering live-sum.json as an Axis People Counter does, with totals the test moves. */
class HttpCounterSourceTest {

    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    @TempDir
    Path dir;
    HttpServer camera;
    volatile String body;
    volatile int status = 200;
    final RecordingSink sink = new RecordingSink();

    @BeforeEach
    void startCamera() throws Exception {
        camera = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        camera.createContext("/local/tvpc/.api", exchange -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, b.length);
            exchange.getResponseBody().write(b);
            exchange.close();
        });
        camera.start();
    }

    @AfterEach
    void stopCamera() {
        camera.stop(0);
    }

    /** A URL that reaches a video stream instead of a counter: read up to the limit, then the counter is offline. */
    @Test
    void anEndlessAnswerIsCutOffAndTheCounterReportedUnreachable() throws Exception {
        camera.createContext("/mjpg/video.mjpg", exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked, no end
            byte[] frame = new byte[16 * 1024];
            try (var out = exchange.getResponseBody()) {
                for (int i = 0; i < 100_000; i++) { // 1.6 GB at most, should nobody stop reading
                    out.write(frame);
                }
            } catch (java.io.IOException closedByTheReader) {
                // expected: the source stops reading
            }
        });
        URI url = URI.create("http://127.0.0.1:" + camera.getAddress().getPort() + "/mjpg/video.mjpg");
        HttpCounterSource s = new HttpCounterSource(new HttpCounterSource.Settings(List.of(new HttpCounterSource.Counter("entrance", url, null, null)),
                Duration.ofSeconds(10), dir.resolve("counters.json")), Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(poll(s)).singleElement().isInstanceOfSatisfying(DeviceStatus.class, st -> {
            assertThat(st.state()).isEqualTo(DeviceStatus.State.OFFLINE);
            assertThat(st.reason()).contains("more than 65536 bytes");
        });
        assertThat(s.problem()).isEqualTo("counter entrance: " + url + " answered what is not a counter's totals: an answer of more than"
                + " 65536 bytes; a counter's totals take a few hundred");
        assertThat(sink.refused).containsExactly(java.util.Map.entry("http-counters/too-large", 1));
    }

    /** A camera switched off: the technician reads which counter, at which URL, and that nothing answered there ("null" before). */
    @Test
    void aCounterNobodyAnswersForSaysSoWithItsUrl() throws Exception {
        HttpCounterSource s = source();
        totals("s", 1, 1);
        poll(s);
        camera.stop(0);
        assertThat(poll(s)).singleElement().isInstanceOfSatisfying(DeviceStatus.class, st -> {
            assertThat(st.state()).isEqualTo(DeviceStatus.State.OFFLINE);
            assertThat(st.reason()).isEqualTo("unreachable: cannot connect (connection refused or closed)");
        });
        assertThat(s.problem()).isEqualTo("counter entrance: cannot reach http://127.0.0.1:" + camera.getAddress().getPort()
                + "/local/tvpc/.api?live-sum.json: cannot connect (connection refused or closed)");
        assertThat(sink.refused).as("a counter that is off sent no bad input").isEmpty();
    }

    HttpCounterSource source() throws Exception {
        URI url = URI.create("http://127.0.0.1:" + camera.getAddress().getPort() + "/local/tvpc/.api?live-sum.json");
        return new HttpCounterSource(new HttpCounterSource.Settings(List.of(new HttpCounterSource.Counter("entrance", url, null, null)),
                Duration.ofSeconds(10), dir.resolve("counters.json")), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    void totals(String serial, long in, long out) {
        body = "{\"serial\":\"%s\",\"name\":\"Exit south\",\"timestamp\":\"20261123100000\",\"in\":%d,\"out\":%d}".formatted(serial, in, out);
    }

    List<Observation> poll(HttpCounterSource s) throws Exception {
        int before = sink.taken.size();
        s.pollOnce(sink);
        return List.copyOf(sink.taken.subList(before, sink.taken.size()));
    }

    @Test
    void cumulativeTotalsBecomeCountsAcrossResetsAndRestarts() throws Exception {
        HttpCounterSource s = source();
        totals("00408CAC512B", 12, 318);
        assertThat(poll(s)).as("the first totals are the baseline")
                .containsExactly(new DeviceStatus(NOW, "entrance", DeviceStatus.State.ONLINE, "heard"));
        totals("00408CAC512B", 15, 320);
        assertThat(poll(s)).containsExactly(new DoorCounts(NOW, "entrance", 3, 2));
        assertThat(poll(s)).as("nothing new").isEmpty();
        totals("00408CAC512B", 1, 0); // midnight: the counter starts again
        assertThat(poll(s)).containsExactly(new DoorCounts(NOW, "entrance", 1, 0));

        // the gateway restarts; people pass meanwhile; the new source counts them once from the kept totals
        totals("00408CAC512B", 4, 1);
        HttpCounterSource restarted = source();
        assertThat(poll(restarted)).containsExactly(new DeviceStatus(NOW, "entrance", DeviceStatus.State.ONLINE, "heard"),
                new DoorCounts(NOW, "entrance", 3, 1));
        totals("ACCC8E000001", 2, 2); // the camera was replaced
        assertThat(poll(restarted)).containsExactly(new DoorCounts(NOW, "entrance", 2, 2));
    }

    @Test
    void countsNotTakenAreCountedAgainLater() throws Exception {
        HttpCounterSource s = source();
        totals("s", 10, 10);
        poll(s);
        totals("s", 13, 10);
        sink.durable = CompletableFuture.failedFuture(new IllegalStateException("outbox full"));
        poll(s);
        assertThat(s.problem()).contains("counts not taken yet", "outbox full");
        sink.durable = CompletableFuture.completedFuture(null);
        totals("s", 14, 11);
        assertThat(poll(s)).containsExactly(new DoorCounts(NOW, "entrance", 4, 1));
        assertThat(s.problem()).isNull();
    }

    @Test
    void anUnreachableOrConfusedCounterIsOfflineNotFatal() throws Exception {
        HttpCounterSource s = source();
        totals("s", 1, 1);
        poll(s);
        status = 503;
        assertThat(poll(s)).singleElement().satisfies(o -> {
            assertThat(((DeviceStatus) o).state()).isEqualTo(DeviceStatus.State.OFFLINE);
            assertThat(((DeviceStatus) o).reason()).contains("HTTP 503");
        });
        assertThat(poll(s)).as("offline once").isEmpty();
        assertThat(sink.refused).as("a counter that is down sent no bad input").isEmpty();
        status = 200;
        body = "{\"in\": -4, \"out\": \"many\"}";
        assertThat(poll(s)).isEmpty();
        assertThat(s.problem()).contains("expected whole in and out totals");
        body = "<html>login</html>";
        assertThat(poll(s)).isEmpty();
        body = "{\"in\": 2.5, \"out\": 1}"; // Jackson would read 2
        assertThat(poll(s)).isEmpty();
        assertThat(sink.refused).containsExactly(java.util.Map.entry("http-counters/malformed", 3));
        assertThat(sink.refusals).allSatisfy(detail -> assertThat(detail).startsWith("counter entrance: http://127.0.0.1:")
                .contains(" answered what is not a counter's totals: "));
        totals("s", 2, 1);
        assertThat(poll(s)).containsExactly(new DeviceStatus(NOW, "entrance", DeviceStatus.State.ONLINE, "heard"),
                new DoorCounts(NOW, "entrance", 1, 0));
        Files.writeString(dir.resolve("counters.json"), "{broken");
        assertThat(source().problem()).contains("unreadable, starting afresh");
    }

    /**
     * A bounded random-input property test: mutations of a counter's answer (bytes flipped, cut or repeated; a value
     * swapped for one of another type or out of range, or removed) are read as whole totals of 0 or more, or refused
     * as malformed; nothing else escapes (it would end the source's thread). Rerun a seed with {@code -Dstoregw.fuzz.seed=N}.
     */
    @Test
    void anyAnswerIsReadAsTotalsOrRefusedAsMalformed() throws Exception {
        Mutations mutations = new Mutations();
        long seed = mutations.seed();
        JsonNodeFactory f = JsonNodeFactory.instance;
        List<JsonNode> odd = List.of(f.nullNode(), f.textNode(""), f.textNode("12"), f.textNode("\u0000"), f.booleanNode(true),
                f.numberNode(-1), f.numberNode(0), f.numberNode(0.5), f.numberNode(1e308), f.numberNode(Long.MAX_VALUE),
                f.numberNode(new java.math.BigInteger("9".repeat(30))), f.objectNode(), f.arrayNode());
        totals("00408CAC512B", 12, 318);
        byte[] sample = body.getBytes(StandardCharsets.UTF_8);
        int read = 0;
        for (int round = 0; round < 5_000; round++) {
            byte[] answer = mutations.any(sample, () -> mutations.pick(odd));
            try {
                HttpCounterSource.Totals t = HttpCounterSource.totals(answer);
                assertThat(t.in()).as("seed %d", seed).isNotNegative();
                assertThat(t.out()).as("seed %d", seed).isNotNegative();
                assertThat(t.serial()).as("seed %d", seed).isNotNull();
                read++;
            } catch (HttpCounterSource.BadAnswer e) {
                assertThat(e.reason).as("seed %d", seed).isEqualTo("malformed");
            } catch (RuntimeException bug) {
                throw new AssertionError("threw %s (seed %d) on:%n%s".formatted(bug, seed, new String(answer, StandardCharsets.UTF_8)), bug);
            }
        }
        assertThat(read).as("answers read (seed %d)", seed).isGreaterThan(500);
    }
}
