package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.gateway.Gateway;
import io.storegw.gateway.testing.Await;
import io.storegw.gateway.testing.MosquittoBroker;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uplink over TLS with a client certificate (mutual TLS) and a password from a file, against a
 * real Mosquitto that requires both. Certificates are made here with openssl. Runs in the Mosquitto
 * profile (CI); the embedded broker would need its keys in a Java keystore.
 */
@EnabledIfSystemProperty(named = "storegw.test.broker", matches = "mosquitto")
class TlsUplinkTest {

    @TempDir
    Path dir;

    private void openssl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl %s: %s", args, out).isTrue();
    }

    @BeforeEach
    void certificates() throws Exception {
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=storegw test CA");
        for (String who : new String[] {"server", "client"}) {
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", who + ".key");
            openssl("req", "-new", "-key", who + ".key", "-out", who + ".csr", "-subj", "/CN=" + (who.equals("server") ? "localhost" : "gw1"));
            openssl("x509", "-req", "-in", who + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", who + ".pem",
                    "-days", "2", "-extfile", "san.ext");
        }
        Process passwd = new ProcessBuilder("mosquitto_passwd", "-b", "-c", dir.resolve("passwords").toString(), "gw1", "s3cret")
                .redirectErrorStream(true).start();
        assertThat(passwd.waitFor(10, TimeUnit.SECONDS) && passwd.exitValue() == 0).isTrue();
        Files.writeString(dir.resolve("mqtt.password"), "s3cret\n");
    }

    private MosquittoBroker broker(int port) {
        return new MosquittoBroker(port, dir.resolve("broker"), List.of(
                "cafile " + dir.resolve("ca.pem"), "certfile " + dir.resolve("server.pem"), "keyfile " + dir.resolve("server.key"),
                "require_certificate true", "password_file " + dir.resolve("passwords")));
    }

    private String tlsConfig(String password) {
        return """
                  username: gw1
                  passwordFile: %s
                  tls:
                    ca: %s
                    cert: %s
                    key: %s
                """.formatted(dir.resolve(password), dir.resolve("ca.pem"), dir.resolve("client.pem"), dir.resolve("client.key"));
    }

    @Test
    void mutualTlsWithAPasswordFileDelivers() throws Exception {
        int port = TestBroker.freePort();
        try (MosquittoBroker broker = broker(port)) {
            broker.start();
            String yaml = TestConfigs.yaml(dir.resolve("gw"), "ssl://127.0.0.1:" + port, 500, 0, "")
                    .replace("  keepAlive: 5s\n", "  keepAlive: 5s\n" + tlsConfig("mqtt.password"));
            try (Gateway gw = Gateway.start(io.storegw.gateway.config.ConfigLoader.parse("tls.yaml", yaml, dir), Clock.systemUTC())) {
                Await.until(Duration.ofSeconds(30), "connected over mutual TLS", () -> gw.uplink().connected());
                Await.until(Duration.ofSeconds(30), "events acknowledged over TLS",
                        () -> gw.metrics().count("storegw_uplink_published_total") > 10);
            }
        }
    }

    @Test
    void aWrongPasswordIsRefusedAndSaidInHealth() throws Exception {
        Files.writeString(dir.resolve("wrong.password"), "guess\n");
        int port = TestBroker.freePort();
        try (MosquittoBroker broker = broker(port)) {
            broker.start();
            String yaml = TestConfigs.yaml(dir.resolve("gw"), "ssl://127.0.0.1:" + port, 500, 0, "")
                    .replace("  keepAlive: 5s\n", "  keepAlive: 5s\n" + tlsConfig("wrong.password"));
            try (Gateway gw = Gateway.start(io.storegw.gateway.config.ConfigLoader.parse("tls.yaml", yaml, dir), Clock.systemUTC())) {
                Await.until(Duration.ofSeconds(20), "refusal reported", () -> gw.problem() != null && gw.problem().contains("Not authorized"));
                assertThat(gw.uplink().connected()).isFalse();
                assertThat(gw.metrics().count("storegw_uplink_published_total")).isZero();
            }
        }
    }
}
