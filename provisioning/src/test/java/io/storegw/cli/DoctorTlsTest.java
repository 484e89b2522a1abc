package io.storegw.cli;

import static io.storegw.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.storegw.cli.Cli.Result;
import io.storegw.gateway.testing.MosquittoBroker;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import io.storegw.gateway.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code storegw doctor} against a real Mosquitto that requires mutual TLS and a password: the
 * handshake, certificate expiry, login and a test publish, then the mistakes a technician makes.
 * Runs in the Mosquitto profile (CI), like the uplink's TLS test.
 */
@EnabledIfSystemProperty(named = "storegw.test.broker", matches = "mosquitto")
class DoctorTlsTest {

    @TempDir
    Path dir;

    private Map<String, JsonNode> doctor(int port, String password, String ca) throws Exception {
        String yaml = TestConfigs.yaml(dir.resolve("gw"), "ssl://127.0.0.1:" + port, 0, 0, "")
                .replace("  keepAlive: 5s\n", "  keepAlive: 5s\n" + TestPki.uplinkYaml(dir, password).replace(dir.resolve("ca.pem").toString(), ca));
        Path config = Files.writeString(dir.resolve("storegw.yaml"), yaml);
        Result r = run("doctor", "--config", config.toString(), "--json", "--socket", dir.resolve("none.sock").toString());
        Map<String, JsonNode> checks = new HashMap<>();
        for (JsonNode c : new ObjectMapper().readTree(r.out())) {
            checks.put(c.path("name").asText(), c);
        }
        return checks;
    }

    @Test
    void mutualTlsIsCheckedStepByStepAndEachMistakeIsNamed() throws Exception {
        TestPki.make(dir);
        int port = TestBroker.freePort();
        try (MosquittoBroker broker = TestPki.mutualTlsBroker(dir, port)) {
            broker.start();
            Map<String, JsonNode> good = doctor(port, "mqtt.password", dir.resolve("ca.pem").toString());
            assertThat(good.get("broker TLS").path("verdict").asText()).as("certificates valid for two days: a warning").isEqualTo("WARN");
            assertThat(good.get("broker TLS").path("detail").asText()).contains("TLSv1.3", "CN=localhost",
                    "the broker's certificate expires in 1 days", "client certificate expires in 1 days");
            assertThat(good.get("broker login").path("verdict").asText()).isEqualTo("OK");
            assertThat(good.get("test publish").path("verdict").asText()).isEqualTo("OK");

            Files.writeString(dir.resolve("wrong.password"), "guess\n");
            Map<String, JsonNode> wrong = doctor(port, "wrong.password", dir.resolve("ca.pem").toString());
            assertThat(wrong.get("broker login").path("verdict").asText()).isEqualTo("FAIL");
            assertThat(wrong.get("broker login").path("fix").asText()).contains("uplink.username and the password");

            // a CA that did not sign the broker's certificate (the client certificate's own, self-signed here)
            Path otherCa = dir.resolve("other");
            Files.createDirectories(otherCa);
            TestPki.make(otherCa);
            Map<String, JsonNode> untrusted = doctor(port, "mqtt.password", otherCa.resolve("ca.pem").toString());
            assertThat(untrusted.get("broker TLS").path("verdict").asText()).isEqualTo("FAIL");
            assertThat(untrusted.get("broker TLS").path("fix").asText()).contains("uplink.tls.ca is the CA that signed");
            assertThat(untrusted.get("broker TLS").path("detail").asText()).contains("not signed by the CA in uplink.tls.ca");
            assertThat(untrusted).doesNotContainKey("broker login");
        }
    }
}
