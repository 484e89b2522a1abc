package io.storegw.gateway.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.testing.Await;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/central-command}, the shell central of docs/commands.md, against a gateway on Mosquitto: a key
 * made by openssl, commands signed by openssl and sent by mosquitto_rr, answers and exit statuses as documented.
 * CI's Mosquitto profile (it needs mosquitto-clients and openssl).
 */
@EnabledIfSystemProperty(named = "storegw.test.broker", matches = "mosquitto")
class CentralCommandScriptTest {

    private static final Path SCRIPT = Path.of("..", "examples", "central-command").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void theShellCentralSignsSendsAndReadsTheAnswer() throws Exception {
        assertThat(run("openssl", "genpkey", "-algorithm", "ed25519", "-out", "central.key").status()).isZero();
        assertThat(run("openssl", "pkey", "-in", "central.key", "-pubout", "-out", "central.pub").status()).isZero();
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            String port = broker.uri().substring(broker.uri().lastIndexOf(':') + 1);
            var config = TestConfigs.withoutSources(dir.resolve("gw"), broker.uri(), """
                    commands:
                      publicKey: %s
                    """.formatted(dir.resolve("central.pub")));
            String gateway = config.tenant() + "/" + config.store() + "/" + config.gateway();
            try (Gateway gw = Gateway.start(config, Clock.systemUTC())) {
                Await.until(Duration.ofSeconds(20), "the uplink", gw.uplink()::connected);

                Result ping = run(SCRIPT.toString(), "-p", port, gateway, "ping");
                assertThat(ping.status()).as(ping.output()).isZero();
                assertThat(ping.output()).contains("\"status\":\"ok\"", "\"members\":0");

                Result member = run(SCRIPT.toString(), "-p", port, gateway, "members.upsert",
                        "{\"pseudonym\": \"m-7f3a\", \"consent\": \"c-1\", \"loyaltyHashes\": [\"sO-iyYHeZN2nhA1Ujf3amQ\"]}");
                assertThat(member.status()).as(member.output()).isZero();
                assertThat(gw.commands().handle("ping", new byte[0], null).reason()).isEqualTo("unsigned");

                Result typo = run(SCRIPT.toString(), "-p", port, gateway, "pickups.upsert",
                        "{\"orderId\": \"order-1\", \"pseudonym\": \"m-7f3a\", \"isReady\": true}");
                assertThat(typo.status()).as(typo.output()).isEqualTo(1);
                assertThat(typo.output()).contains("\"reason\":\"malformed\"", "body.isReady is not a field of pickups.upsert");

                Result elsewhere = run(SCRIPT.toString(), "-p", port, "-W", "2", "acme/another-store/gw-1", "ping");
                assertThat(elsewhere.status()).as(elsewhere.output()).isEqualTo(3);
                assertThat(elsewhere.output()).contains("no answer from storegw/v1/acme/another-store/gw-1 within 2 s");

                Result wrongKey = run(SCRIPT.toString(), "-p", port, "-k", "central.pub", gateway, "ping");
                assertThat(wrongKey.status()).as(wrongKey.output()).isEqualTo(2);
                assertThat(wrongKey.output()).contains("cannot sign with central.pub");

                assertThat(run(SCRIPT.toString(), "ping").status()).as("usage").isEqualTo(2);
                assertThat(gw.metrics().count("storegw_commands_total", "command", "ping", "outcome", "ok")).isEqualTo(1);
            }
        }
    }

    private record Result(int status, String output) {
    }

    private Result run(String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of(command));
        Process p = new ProcessBuilder(line).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", line) + " did not end within 30 s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
