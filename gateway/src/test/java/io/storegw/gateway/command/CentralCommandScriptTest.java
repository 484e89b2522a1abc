package io.storegw.gateway.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.testing.Await;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.ConfigLoader;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.testing.MosquittoBroker;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/central-command}, the shell central of docs/commands.md, against a gateway on a Mosquitto set up as
 * that page says (a user each, its ACL): a key made by openssl, commands signed by openssl and sent by mosquitto_rr,
 * answers and exit statuses as documented. CI's Mosquitto profile (it needs mosquitto-clients and openssl).
 */
@EnabledIfSystemProperty(named = "storegw.test.broker", matches = "mosquitto")
class CentralCommandScriptTest {

    private static final Path SCRIPT = Path.of("..", "examples", "central-command").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    /** Central's broker's port, once it runs. */
    private String port;

    @Test
    void theShellCentralSignsSendsAndReadsTheAnswer() throws Exception {
        assertThat(run("openssl", "genpkey", "-algorithm", "ed25519", "-out", "central.key").status()).isZero();
        assertThat(run("openssl", "pkey", "-in", "central.key", "-pubout", "-out", "central.pub").status()).isZero();
        // central's broker as docs/commands.md sets it up: a user each, and its ACL
        assertThat(run("mosquitto_passwd", "-b", "-c", "passwords", "gw1", "gateway-secret").status()).isZero();
        assertThat(run("mosquitto_passwd", "-b", "passwords", "central", "central-secret").status()).isZero();
        Files.writeString(dir.resolve("acl"), documentedAcl().replace("berlin-042-gw-1", "gw1").replace("acme/berlin-042/gw-1", "acme/s042/gw1"));
        Path password = Files.writeString(dir.resolve("gw1.password"), "gateway-secret\n");
        MosquittoBroker broker = new MosquittoBroker(TestBroker.freePort(), dir.resolve("broker"),
                List.of("password_file " + dir.resolve("passwords"), "acl_file " + dir.resolve("acl")));
        broker.start();
        try {
            port = String.valueOf(broker.port());
            String yaml = TestConfigs.yaml(dir.resolve("gw"), broker.uri(), 0, 0, "commands:\n  publicKey: " + dir.resolve("central.pub") + "\n")
                    .replaceAll("(?s)sources:.*?admin:", "sources: {}\nadmin:")
                    .replace("  broker: " + broker.uri() + "\n", "  broker: " + broker.uri() + "\n  username: gw1\n  passwordFile: " + password + "\n");
            GatewayConfig config = ConfigLoader.parse("storegw.yaml", yaml, dir);
            String gateway = config.tenant() + "/" + config.store() + "/" + config.gateway();
            try (Gateway gw = Gateway.start(config, Clock.systemUTC())) {
                Await.until(Duration.ofSeconds(20), "the uplink", gw.uplink()::connected);

                Result ping = central(List.of(), gateway, "ping");
                assertThat(ping.status()).as(ping.output()).isZero();
                assertThat(ping.output()).contains("\"status\":\"ok\"", "\"members\":0");

                Result member = central(List.of(), gateway, "members.upsert",
                        "{\"pseudonym\": \"m-7f3a\", \"consent\": \"c-1\", \"loyaltyHashes\": [\"sO-iyYHeZN2nhA1Ujf3amQ\"]}");
                assertThat(member.status()).as(member.output()).isZero();

                Result typo = central(List.of(), gateway, "pickups.upsert",
                        "{\"orderId\": \"order-1\", \"pseudonym\": \"m-7f3a\", \"isReady\": true}");
                assertThat(typo.status()).as(typo.output()).isEqualTo(1);
                assertThat(typo.output()).contains("\"reason\":\"malformed\"", "body.isReady is not a field of pickups.upsert");

                Result elsewhere = central(List.of("-W", "2"), "acme/another-store/gw-1", "ping");
                assertThat(elsewhere.status()).as(elsewhere.output()).isEqualTo(3);
                assertThat(elsewhere.output()).contains("no answer from storegw/v1/acme/another-store/gw-1 within 2 s");

                Result wrongKey = central(List.of("-k", "central.pub"), gateway, "ping");
                assertThat(wrongKey.status()).as(wrongKey.output()).isEqualTo(2);
                assertThat(wrongKey.output()).contains("cannot sign with central.pub");

                assertThat(run(SCRIPT.toString(), "ping").status()).as("usage").isEqualTo(2);
                assertThat(gw.metrics().count("storegw_commands_total", "command", "ping", "outcome", "ok")).isEqualTo(1);
                assertThat(gw.uplink().answersRefused().count()).as("every answer under the gateway's tree, which the ACL allows").isZero();

                // the ACL holds the gateway to its tree: an answer asked for elsewhere is refused (and the command carried out)
                Path request = Files.writeString(dir.resolve("ping.json"), "{\"name\": \"ping\", \"issued\": \"" + Instant.now()
                        + "\", \"nonce\": \"" + UUID.randomUUID() + "\", \"body\": {}}");
                assertThat(run("openssl", "pkeyutl", "-sign", "-inkey", "central.key", "-rawin", "-in", "ping.json", "-out", "ping.sig").status()).isZero();
                String signature = Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve("ping.sig")));
                Result outside = run("mosquitto_rr", "-p", port, "-u", "central", "-P", "central-secret", "-q", "1", "-W", "2",
                        "-t", "storegw/v1/" + gateway + "/cmd/ping", "-e", "central/answers/1", "-m", Files.readString(request),
                        "-D", "publish", "user-property", "signature", signature);
                assertThat(outside.output()).as("no answer").contains("Timed out");
                Await.until(Duration.ofSeconds(10), "the answer refused", () -> gw.uplink().answersRefused().count() == 1);
                assertThat(gw.uplink().answersRefused().last()).contains("on central/answers/1: not authorized");
                assertThat(gw.metrics().count("storegw_commands_total", "command", "ping", "outcome", "ok")).isEqualTo(2);
            }
        } finally {
            broker.close();
        }
    }

    /** The Mosquitto ACL docs/commands.md gives, as written there. */
    private static String documentedAcl() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "commands.md"));
        int start = doc.indexOf("# the gateway: its own tree");
        assertThat(start).as("docs/commands.md's ACL").isPositive();
        return doc.substring(start, doc.indexOf("```", start));
    }

    /** The script with {@code options}, then the arguments, logged in as central. */
    private Result central(List<String> options, String... arguments) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of(SCRIPT.toString(), "-p", port));
        line.addAll(options);
        line.addAll(List.of(arguments));
        line.addAll(List.of("--", "-u", "central", "-P", "central-secret"));
        return run(line.toArray(String[]::new));
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
