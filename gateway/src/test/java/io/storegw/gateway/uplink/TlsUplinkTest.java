package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.testing.Await;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.testing.MosquittoBroker;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import io.storegw.gateway.testing.TestPki;
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

    @BeforeEach
    void certificates() throws Exception {
        TestPki.make(dir);
    }

    private MosquittoBroker broker(int port) {
        return TestPki.mutualTlsBroker(dir, port);
    }

    private String tlsConfig(String password) {
        return TestPki.uplinkYaml(dir, password);
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
                Await.until(Duration.ofSeconds(20), "refusal reported", () -> String.valueOf(gw.problem()).contains("Not authorized"));
                assertThat(gw.uplink().connected()).isFalse();
                assertThat(gw.metrics().count("storegw_uplink_published_total")).isZero();
            }
        }
    }
}
