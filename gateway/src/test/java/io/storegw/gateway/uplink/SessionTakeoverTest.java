package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.testing.Await;
import io.storegw.gateway.event.EventIds;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.outbox.Outbox;
import io.storegw.gateway.testing.HiveMqBroker;
import io.storegw.gateway.testing.TestBroker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways with one identity (a cloned SD card) on one broker: each connect throws the other off (DISCONNECT 142,
 * session taken over). Before, each reconnected at once, for ever, and said only "disconnected by broker"; now each
 * says another client uses its client id, in its health and status. HiveMQ only: Mosquitto before 2.0.15 says 0
 * (normal disconnection) instead of 142 (eclipse-mosquitto/mosquitto#2607; Debian 12 has 2.0.11), so against it the
 * clone goes unnamed.
 */
class SessionTakeoverTest {

    @TempDir
    Path dir;

    @Test
    void aGatewayWhoseClientIdAnotherUsesSaysSo() throws Exception {
        Clock clock = Clock.systemUTC();
        try (TestBroker broker = new HiveMqBroker(TestBroker.freePort(), dir.resolve("broker"));
             Clone first = Clone.of(broker, dir.resolve("first"), clock);
             Clone second = Clone.of(broker, dir.resolve("second"), clock)) {
            broker.start();
            first.uplink().start();
            second.uplink().start();

            Await.until(Duration.ofSeconds(60), "both told their session was taken over, twice",
                    () -> String.valueOf(first.uplink().problem()).contains("another client")
                            && String.valueOf(second.uplink().problem()).contains("another client"));
            assertThat(first.uplink().problem()).contains("as gw1", "cloned gateway", "storegw init");
            assertThat(first.metrics().count("storegw_uplink_taken_over_total") + second.metrics().count("storegw_uplink_taken_over_total"))
                    .isGreaterThanOrEqualTo(4);
        }
    }

    /** An outbox and an uplink under a folder of its own, with the same identity and client id as every other clone. */
    private record Clone(Outbox outbox, Uplink uplink, Metrics metrics) implements AutoCloseable {

        static Clone of(TestBroker broker, Path dir, Clock clock) throws Exception {
            Metrics metrics = new Metrics();
            Outbox outbox = UplinkRig.outbox(dir, clock, new EventIds(clock), metrics);
            return new Clone(outbox, UplinkRig.uplink(broker.uri(), dir, outbox, clock, metrics), metrics);
        }

        @Override
        public void close() {
            uplink.close();
            outbox.close();
        }
    }
}
