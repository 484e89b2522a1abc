package io.storegw.gateway.pos;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.testing.Await;
import io.storegw.gateway.testing.Central;
import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import io.storegw.gateway.testing.TestTills;
import java.io.IOException;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight tills post 10,000 POSLog transactions over HTTP to a gateway in a child JVM (the appliance's
 * 64 MB heap) while the broker is restarted and the gateway is killed with SIGKILL once and started
 * again. Tills behave as real ones do: a transaction is re-sent until it is answered {@code 202}.
 * Every transaction answered {@code 202} must reach an independent subscriber, and, after
 * de-duplication by event id, exactly once.
 */
class PosLoadTest {

    static final int TILLS = 8;
    static final int PER_TILL = 1_250;

    @TempDir
    Path dir;

    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    final AtomicInteger retries = new AtomicInteger();

    @Test
    void tenThousandTransactionsThroughABrokerRestartAndAKillArriveExactlyOnce() throws Exception {
        int port = TestBroker.freePort();
        Path tokensFile = TestConfigs.tillTokens(dir.resolve("pos-tokens"), TILLS);
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            String yaml = TestConfigs.withSources(TestConfigs.yaml(dir.resolve("gw"), broker.uri(), 0, 0, "timeZone: Europe/Berlin\n"),
                    TestConfigs.posHttp(port, tokensFile));
            Path config = Files.writeString(dir.resolve("storegw.yaml"), yaml);
            Path log = dir.resolve("gateway.log");
            try (Central central = new Central(broker.uri(), "central-pos-load")) {
                Process gateway = GatewayProcess.start(config, log);
                ExecutorService tills = Executors.newFixedThreadPool(TILLS);
                try {
                    TestBroker.awaitListening(port, Duration.ofSeconds(60));
                    List<Future<?>> running = new ArrayList<>();
                    for (int t = 1; t <= TILLS; t++) {
                        int till = t;
                        running.add(tills.submit(() -> till(till, port)));
                    }

                    Await.until(Duration.ofSeconds(120), "2,000 acknowledged", () -> acknowledged.size() >= 2_000);
                    broker.stop(); // the uplink is down: tills must still be answered, from the outbox
                    int duringOutage = acknowledged.size();
                    Await.until(Duration.ofSeconds(60), "tills answered while the broker is down",
                            () -> acknowledged.size() >= duringOutage + 500);
                    broker.start();

                    Await.until(Duration.ofSeconds(120), "5,000 acknowledged", () -> acknowledged.size() >= 5_000);
                    gateway.destroyForcibly(); // SIGKILL in the middle of eight tills posting
                    assertThat(gateway.waitFor(10, TimeUnit.SECONDS)).isTrue();
                    assertThat(gateway.exitValue()).isEqualTo(137);
                    gateway = GatewayProcess.start(config, log);

                    for (Future<?> f : running) {
                        f.get(5, TimeUnit.MINUTES);
                    }
                    assertThat(acknowledged).hasSize(TILLS * PER_TILL);

                    Await.until(Duration.ofSeconds(120), "every acknowledged transaction at central",
                            () -> central.messages().size() >= acknowledged.size()
                                    && central.transactions().keySet().containsAll(acknowledged));
                    Thread.sleep(1_000); // a late duplicate would have arrived by now
                    Map<String, Set<String>> arrived = central.transactions();
                    assertThat(arrived.keySet()).isEqualTo(acknowledged);
                    assertThat(arrived).allSatisfy((transaction, ids) ->
                            assertThat(ids).as("event ids for %s", transaction).hasSize(1));
                    assertThat(retries.get()).as("the kill and the outage made tills re-send").isPositive();
                } finally {
                    tills.shutdownNow();
                    gateway.destroy();
                    assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).isTrue();
                }
            }
        }
    }

    /** A till: each transaction is posted until it is answered 202, as the POSLog exporters of real tills do. */
    private void till(int till, int port) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        for (int seq = 1; seq <= PER_TILL; seq++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/pos/v1/poslog"))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TestConfigs.tillToken(till))
                    .POST(HttpRequest.BodyPublishers.ofString(TestTills.poslog(till, seq), StandardCharsets.UTF_8)).build();
            while (true) {
                try {
                    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 202) {
                        acknowledged.add("till-" + till + "/" + seq);
                        break;
                    }
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                } catch (IOException gatewayGone) {
                    // killed, or not listening yet: send the same transaction again
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                retries.incrementAndGet();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
