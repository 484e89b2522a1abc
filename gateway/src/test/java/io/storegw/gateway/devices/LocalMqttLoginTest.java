package io.storegw.gateway.devices;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.ble.identity.IdentityResolver;
import io.storegw.drivers.localmqtt.LocalMqttSource;
import io.storegw.drivers.testing.Await;
import io.storegw.gateway.testing.MosquittoBroker;
import io.storegw.gateway.testing.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's broker with a password (as docs/devices.md asks when more than the store's devices reach it), and the
 * gateway with the wrong one: its problem says which settings to check. Mosquitto's password file (CI's profile).
 */
@EnabledIfSystemProperty(named = "storegw.test.broker", matches = "mosquitto")
class LocalMqttLoginTest {

    @TempDir
    Path dir;

    @Test
    void aWrongPasswordForTheStoresBrokerSaysWhatToCheck() throws Exception {
        Process passwd = new ProcessBuilder("mosquitto_passwd", "-b", "-c", dir.resolve("passwords").toString(), "gateway", "s3cret")
                .redirectErrorStream(true).start();
        assertThat(passwd.waitFor(10, TimeUnit.SECONDS) && passwd.exitValue() == 0).isTrue();
        Path wrong = Files.writeString(dir.resolve("wrong.password"), "guess\n");
        Path right = Files.writeString(dir.resolve("right.password"), "s3cret\n");
        MosquittoBroker broker = new MosquittoBroker(TestBroker.freePort(), dir.resolve("broker"),
                List.of("password_file " + dir.resolve("passwords")));
        broker.start();
        try {
            try (LocalMqttSource refused = source(broker, wrong)) {
                Await.until(Duration.ofSeconds(20), "the refusal told", () -> String.valueOf(refused.problem()).contains("Not authorized"));
                assertThat(refused.problem()).isEqualTo("cannot reach the store's broker " + broker.uri() + ": Not authorized. (check"
                        + " sources.localMqtt.username and the password in its passwordFile against the store broker's)");
            }
            try (LocalMqttSource taken = source(broker, right)) {
                Await.until(Duration.ofSeconds(20), "connected", () -> taken.problem() == null);
            }
        } finally {
            broker.close();
        }
    }

    private LocalMqttSource source(TestBroker broker, Path password) {
        LocalMqttSource s = new LocalMqttSource(new LocalMqttSource.Settings(broker.uri(), "storegw-login-test", "gateway", password,
                "espresense", "home", List.of(), Duration.ofMinutes(5), dir.resolve("dead")),
                new IdentityResolver(IdentityResolver.Settings.defaults(), List.of()), Map.of(), Clock.systemUTC());
        s.start(observation -> CompletableFuture.completedFuture(null));
        return s;
    }
}
