package io.storegw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.testing.Await;
import io.storegw.gateway.testing.Central;
import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import io.storegw.gateway.testing.TestTills;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing lost, proven on the command the service runs: {@code storegw run} (not a test's stand-in for it) holding
 * sales it answered {@code 202} while central's broker is down is killed with SIGKILL, started again, killed again
 * after more sales, and started again once the broker is back. Every sale answered reaches an independent subscriber, once by event id,
 * with no sequence number missing unreported. {@code KillRestartTest} and {@code PosLoadTest} do more of this, under
 * load, on a stand-in that starts the gateway the same way but without the command line around it.
 */
class RunKillTest {

    private static final int SALES = 40;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    private final Set<String> answered = new HashSet<>();

    @Test
    void salesAnsweredBeforeTwoKillsReachCentralOnceEach() throws Exception {
        int tillPort = TestBroker.freePort();
        Path tokens = TestConfigs.tillTokens(dir.resolve("pos-tokens"), 1);
        Path log = dir.resolve("run.log");
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"));
                Central central = Central.subscribedBeforeOutage(broker, "central-run-kill")) {
            Path config = Files.writeString(dir.resolve("storegw.yaml"), TestConfigs.withSources(
                    TestConfigs.yaml(dir.resolve("state"), broker.uri(), 0, 0, ""), TestConfigs.posHttp(tillPort, tokens)));

            Process run = Cli.storegwRun(config, log);
            try {
                sell(tillPort, 1, SALES / 2); // central's broker down: answered from the outbox alone
                kill(run, log);
                run = Cli.storegwRun(config, log);
                sell(tillPort, SALES / 2 + 1, SALES); // after the restart, on top of what the first run kept
                kill(run, log);

                broker.start();
                run = Cli.storegwRun(config, log); // the third run has it all to send
                Await.until(Duration.ofSeconds(60), "every sale answered at central",
                        () -> missing(central).isEmpty());
                Map<String, Set<String>> arrived = central.transactions();
                assertThat(arrived.keySet()).isEqualTo(answered);
                assertThat(arrived).allSatisfy((sale, ids) -> assertThat(ids).as("event ids of %s", sale).hasSize(1));
                assertThat(central.awaitAccountedFor(central.highest(), Duration.ofSeconds(10)))
                        .as(central.gapSummary(central.highest())).isTrue();
                assertThat(central.conflicts()).as("one sequence number, two events").isZero();
                assertThat(central.events().get(1L).path("data").path("kind").asText()).as("the first event of a new numbering")
                        .isEqualTo("sequence.started");

                run.destroy(); // and an orderly stop after all that
                assertThat(run.waitFor(30, TimeUnit.SECONDS)).as(GatewayProcess.tail(log)).isTrue();
                assertThat(Files.readString(log)).contains("storegw stopped");
            } finally {
                run.destroyForcibly();
            }
        }
    }

    /** Till 1 sells {@code from..to}; each sale must be answered {@code 202} (the gateway's word that it is kept). */
    private void sell(int tillPort, int from, int to) throws Exception {
        TestBroker.awaitListening(tillPort, Duration.ofSeconds(60));
        for (int seq = from; seq <= to; seq++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tillPort + "/pos/v1/poslog"))
                    .header("Authorization", "Bearer " + TestConfigs.tillToken(1))
                    .POST(HttpRequest.BodyPublishers.ofString(TestTills.poslog(1, seq))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            answered.add("till-1/" + seq);
        }
    }

    private Set<String> missing(Central central) {
        Set<String> missing = new java.util.TreeSet<>(answered);
        missing.removeAll(central.transactions().keySet());
        return missing;
    }

    private static void kill(Process run, Path log) throws Exception {
        run.destroyForcibly(); // SIGKILL: no hook, no goodbye
        assertThat(run.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(GatewayProcess.tail(log)).isEqualTo(137);
    }
}
