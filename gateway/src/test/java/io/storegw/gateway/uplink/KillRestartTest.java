package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.testing.Await;
import io.storegw.gateway.testing.AdminClient;
import io.storegw.gateway.testing.Central;
import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway in a child JVM (-Xmx64m, as on the appliance) is killed with SIGKILL mid-stream, twice,
 * and restarted: every event it had committed before each kill reaches central, and no sequence
 * number is ever used for two different events.
 */
class KillRestartTest {

    private static final String COMMITTED = "storegw_outbox_committed_sequence";

    @TempDir
    Path dir;

    @Test
    void killedTwiceMidStreamEveryCommittedEventArrives() throws Exception {
        int adminPort = TestBroker.freePort();
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            Path config = Files.writeString(dir.resolve("storegw.yaml"),
                    TestConfigs.yaml(dir.resolve("gw"), broker.uri(), 4_000, 0, "").replace("port: 0", "port: " + adminPort));
            Path log = dir.resolve("gateway.log");
            AdminClient admin = new AdminClient(adminPort);
            try (Central central = new Central(broker.uri(), "central-kill")) {
                long acknowledged = 0;
                for (int run = 1; run <= 3; run++) {
                    Process gateway = GatewayProcess.start(config, log);
                    try {
                        long floor = acknowledged;
                        Await.until(Duration.ofSeconds(60), "run " + run + " committing past " + (floor + 500),
                                () -> admin.metric(COMMITTED).orElse(0) > floor + 500);
                        // What /metrics reports as committed was synced to disk: from here it must reach central.
                        acknowledged = (long) admin.metric(COMMITTED).orElseThrow();
                        if (run < 3) {
                            gateway.destroyForcibly(); // SIGKILL: no shutdown hook, no goodbye
                            assertThat(gateway.waitFor(10, TimeUnit.SECONDS)).isTrue();
                            assertThat(gateway.exitValue()).isEqualTo(137);
                        }
                    } finally {
                        if (run == 3) {
                            long last = acknowledged;
                            assertThat(central.awaitAccountedFor(last, Duration.ofSeconds(90)))
                                    .as("missing after two kills: %s", central.gapSummary(last)).isTrue();
                            gateway.destroy(); // SIGTERM: orderly
                            assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).isTrue();
                        }
                    }
                }
                assertThat(central.dropped()).isEmpty();
                assertThat(central.conflicts()).as("a sequence number was reused after a crash").isZero();
                // The broker told central each time the gateway vanished (its Will), and the last stop was orderly.
                assertThat(central.stateHistory()).filteredOn(s -> "connection lost".equals(s.path("reason").asText()))
                        .hasSizeGreaterThanOrEqualTo(2);
                Await.until(Duration.ofSeconds(10), "orderly offline", () -> "shutdown".equals(
                        central.states().get("storegw/v1/acme/s042/gw1/state").path("reason").asText()));
            }
        }
    }
}
