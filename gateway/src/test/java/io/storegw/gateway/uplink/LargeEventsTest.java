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
import io.storegw.gateway.testing.Await;
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
                    assertThat(gateway.isAlive()).as("the gateway is still running; its log:\n%s", tail(dir.resolve("gateway.log"))).isTrue();
                    assertThat(all).as("missing %s", central.gapSummary(EVENTS)).isTrue();
                } finally {
                    gateway.destroy();
                    gateway.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    void tillsPostingTheLargestTransactionsAtOnceAreAnsweredAndEveryOneArrives() throws Exception {
        int tills = 8;
        int perTill = 5;
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
                    List<Future<List<Integer>>> answers = new ArrayList<>();
                    for (int t = 1; t <= tills; t++) {
                        int till = t;
                        answers.add(pool.submit(() -> post(till, perTill, port)));
                    }
                    for (Future<List<Integer>> a : answers) {
                        assertThat(a.get(5, TimeUnit.MINUTES)).as("answers to a till; gateway log:\n%s", tail(dir.resolve("gateway.log")))
                                .containsOnly(202);
                    }
                    Await.until(Duration.ofSeconds(120), "every transaction at central", () -> central.events().values().stream()
                            .filter(e -> e.path("type").asText().equals("io.storegw.pos.transaction.completed.v1")).count() == tills * perTill);
                    assertThat(gateway.isAlive()).as("the gateway is still running; its log:\n%s", tail(dir.resolve("gateway.log"))).isTrue();
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

    /** One till posting {@code n} sales of 10,000 lines each (a POSLog of about 1.2 MB, under the 2 MB a till may send); the answers' status codes. */
    private static List<Integer> post(int till, int n, int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<Integer> codes = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            lines.append("<LineItem><Sale><ItemID>").append(4006381000000L + i)
                    .append("</ItemID><Quantity>1</Quantity><ExtendedAmount>0.01</ExtendedAmount></Sale></LineItem>");
        }
        for (int seq = 1; seq <= n; seq++) {
            String poslog = """
                    <POSLog xmlns="http://www.nrf-arts.org/IXRetail/namespace/" MajorVersion="6" MinorVersion="0">\
                    <Transaction><RetailStoreID>s042</RetailStoreID><WorkstationID>till-%d</WorkstationID>\
                    <SequenceNumber>%d</SequenceNumber><BusinessDayDate>2026-11-23</BusinessDayDate>\
                    <EndDateTime>2026-11-23T10:00:%02d</EndDateTime><CurrencyCode>EUR</CurrencyCode><RetailTransaction>%s\
                    <LineItem><Tender TenderType="Cash"><Amount>100.00</Amount></Tender></LineItem>\
                    <Total TotalType="TransactionGrandAmount">100.00</Total></RetailTransaction></Transaction></POSLog>"""
                    .formatted(till, seq, seq, lines);
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/pos/v1/poslog"))
                    .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + TestConfigs.tillToken(till))
                    .POST(HttpRequest.BodyPublishers.ofString(poslog, StandardCharsets.UTF_8)).build();
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            codes.add(r.statusCode());
            if (r.statusCode() != 202) {
                System.err.println("till-" + till + ": " + r.statusCode() + " " + r.body());
            }
        }
        return codes;
    }

    private static String tail(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
