package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.testing.Await;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.Event;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.event.EventIds;
import io.storegw.gateway.event.GatewayIdentity;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.outbox.Outbox;
import io.storegw.gateway.testing.Central;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The largest events, in the gateway in a child JVM with the appliance's heap: a backlog of them drained,
 * and tills posting the largest transactions at once. What it holds in memory is bounded in bytes, not
 * only in rows.
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
                    assertThat(gateway.isAlive()).as("the gateway is still running; its log:\n%s", GatewayProcess.tail(dir.resolve("gateway.log"))).isTrue();
                    assertThat(all).as("missing %s", central.gapSummary(EVENTS)).isTrue();
                } finally {
                    gateway.destroy();
                    gateway.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    /**
     * More tills than the till port takes in at once, each posting sales of about 1.45 MB (12,000 lines): they are
     * told to come back (503, Retry-After) as a till is, and every sale is taken in the end. Without the port's
     * budget of bytes in progress, this took the gateway's heap.
     */
    @Test
    void moreTillsPostingTheLargestSalesAtOnceThanTheHeapHoldsAreToldToComeBackAndEveryOneArrives() throws Exception {
        int tills = 24;
        int perTill = 2;
        int port = TestBroker.freePort();
        Path tokensFile = TestConfigs.tillTokens(dir.resolve("pos-tokens"), tills);
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            Path config = Files.writeString(dir.resolve("storegw.yaml"), TestConfigs.withSources(
                    TestConfigs.yaml(dir.resolve("gw"), broker.uri(), 0, 0, "timeZone: Europe/Berlin\n"), TestConfigs.posHttp(port, tokensFile)));
            try (Central central = new Central(broker.uri(), "central-large-pos")) {
                Process gateway = GatewayProcess.start(config, dir.resolve("gateway.log"));
                ExecutorService pool = Executors.newFixedThreadPool(tills);
                try {
                    TestBroker.awaitListening(port, Duration.ofSeconds(60));
                    List<Future<Integer>> comeBacks = new ArrayList<>();
                    for (int t = 1; t <= tills; t++) {
                        int till = t;
                        comeBacks.add(pool.submit(() -> post(till, perTill, port)));
                    }
                    int toldToComeBack = 0;
                    for (Future<Integer> c : comeBacks) {
                        toldToComeBack += c.get(5, TimeUnit.MINUTES);
                    }
                    assertThat(toldToComeBack).as("tills told to come back, or the port's budget was never met").isPositive();
                    Await.until(Duration.ofSeconds(120), "every sale at central", () -> central.events().values().stream()
                            .filter(e -> e.path("type").asText().equals("io.storegw.pos.transaction.completed.v1")).count() == tills * perTill);
                    assertThat(gateway.isAlive()).as("the gateway is still running; its log:\n%s", GatewayProcess.tail(dir.resolve("gateway.log"))).isTrue();
                    assertThat(central.messages()).as("events of over 500 KB, or this test tests nothing")
                            .filteredOn(m -> m.getPayload().length > 500_000).hasSize(tills * perTill);
                } finally {
                    pool.shutdownNow();
                    gateway.destroy();
                    gateway.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** A till's file export of a day: 30 sales of 1.45 MB dropped in the spool folder at once, taken one file at a time. */
    @Test
    void aSpoolFolderFullOfTheLargestSalesIsTakenWithinTheAppliancesHeap() throws Exception {
        int files = 30;
        Path spool = Files.createDirectories(dir.resolve("spool"));
        for (int i = 1; i <= files; i++) {
            Files.writeString(spool.resolve("sale-%03d.xml".formatted(i)), PosLogs.sale(1, i, 12_000));
        }
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            Path config = Files.writeString(dir.resolve("storegw.yaml"), TestConfigs.withSources(
                    TestConfigs.yaml(dir.resolve("gw"), broker.uri(), 0, 0, "timeZone: Europe/Berlin\n"), """
                      pos:
                        spool:
                          enabled: true
                          folder: %s
                          poll: 100ms
                    """.formatted(spool.toAbsolutePath())));
            try (Central central = new Central(broker.uri(), "central-large-spool")) {
                Process gateway = GatewayProcess.start(config, dir.resolve("gateway.log"));
                try {
                    Await.until(Duration.ofSeconds(120), "every file taken", () -> spool.resolve("done").toFile().list() != null
                            && spool.resolve("done").toFile().list().length == files);
                    Await.until(Duration.ofSeconds(120), "every sale at central", () -> central.events().values().stream()
                            .filter(e -> e.path("type").asText().equals("io.storegw.pos.transaction.completed.v1")).count() == files);
                    assertThat(gateway.isAlive()).as("the gateway is still running; its log:\n%s", GatewayProcess.tail(dir.resolve("gateway.log"))).isTrue();
                    assertThat(spool.resolve("failed").toFile().list()).isEmpty();
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\ngateway log:\n" + GatewayProcess.tail(dir.resolve("gateway.log")), e);
                } finally {
                    gateway.destroy();
                    gateway.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    /**
     * One till posting {@code n} sales of 12,000 lines, each sent again after the Retry-After of a 503 as a till does;
     * how often it was told to come back. Any other answer, or none, fails it with the gateway's log.
     */
    private int post(int till, int n, int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        int comeBacks = 0;
        for (int seq = 1; seq <= n; seq++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/pos/v1/poslog"))
                    .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + TestConfigs.tillToken(till))
                    .POST(HttpRequest.BodyPublishers.ofString(PosLogs.sale(till, seq, 12_000), StandardCharsets.UTF_8)).build();
            for (HttpResponse<String> r; ; comeBacks++) {
                try {
                    r = http.send(request, HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException e) {
                    throw new AssertionError("till-" + till + " got no answer (" + e + "); gateway log:\n" + GatewayProcess.tail(dir.resolve("gateway.log")), e);
                }
                if (r.statusCode() != 503) {
                    assertThat(r.statusCode()).as("till-%d: %s", till, r.body()).isEqualTo(202);
                    break;
                }
                Thread.sleep(1000L * Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow()));
            }
        }
        return comeBacks;
    }
}
