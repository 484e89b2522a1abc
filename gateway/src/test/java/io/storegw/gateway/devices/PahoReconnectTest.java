package io.storegw.gateway.devices;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.localmqtt.PahoReconnect;
import io.storegw.drivers.testing.Await;
import io.storegw.gateway.testing.TestBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store broker's clients try again at least as often as their cap says, whatever Paho's own defaults. */
class PahoReconnectTest {

    @TempDir
    Path dir;

    @Test
    void attemptsAfterALossComeNoFurtherApartThanTheCap() throws Exception {
        List<Long> attempts = new ArrayList<>();
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            MqttAsyncClient client = new MqttAsyncClient(broker.uri(), "reconnect-" + System.nanoTime(), new MemoryPersistence());
            try {
                MqttConnectionOptions options = new MqttConnectionOptions();
                PahoReconnect.capped(options, Duration.ofSeconds(1));
                client.connect(options).waitForCompletion(10_000);
                broker.stop();
                Await.until(Duration.ofSeconds(10), "the loss noticed", () -> !client.isConnected());
                // In the broker's place, a listener that counts the attempts and closes each one: no CONNACK, so
                // each is a failed attempt and the wait doubles, up to the cap (unset, Paho's is 128 s).
                try (ServerSocket stand = new ServerSocket(broker.port(), 50, InetAddress.getLoopbackAddress())) {
                    stand.setSoTimeout(200);
                    long end = System.nanoTime() + Duration.ofSeconds(7).toNanos();
                    while (System.nanoTime() < end) {
                        try (Socket s = stand.accept()) {
                            attempts.add(System.nanoTime());
                        } catch (SocketTimeoutException e) {
                            // Nobody yet.
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
            } finally {
                client.disconnectForcibly(0, 1_000, false);
                client.close(true);
            }
        }
        // Uncapped, Paho tries 1, 3 and 7 s after the loss: two attempts in 7 s, 4 s apart at the end.
        assertThat(attempts).as("attempts in 7 s").hasSizeGreaterThanOrEqualTo(4);
        for (int i = 1; i < attempts.size(); i++) {
            assertThat(Duration.ofNanos(attempts.get(i) - attempts.get(i - 1))).as("between attempts %d and %d", i, i + 1)
                    .isLessThan(Duration.ofMillis(2_500));
        }
    }
}
