package io.storegw.gateway.journey;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.testing.Await;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.testing.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Arrivals on the store's broker: with the broker away an arrival is counted as missed at once and
 * nothing waits (the core loop calls this); once the broker is there, Paho's reconnect brings the
 * alerts back without a restart.
 */
class LocalMqttAlertsTest {

    @TempDir
    Path dir;

    @Test
    void aMissingStoreBrokerCostsAnAlertNotTheCoreLoopAndItsReturnIsPickedUp() throws Exception {
        Metrics metrics = new Metrics();
        PickupDesk.PickupArrived arrived = new PickupDesk.PickupArrived("order-1", "m-7", "pickup", Instant.now(), "near");
        try (TestBroker store = TestBroker.create(dir.resolve("store"));
             LocalMqttAlerts alerts = new LocalMqttAlerts(store.uri(), "alerts-test", null, null, "store/pickup", metrics,
                     java.time.Clock.systemUTC())) {
            long started = System.nanoTime();
            alerts.arrived(arrived);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no waiting on the core thread").isLessThan(Duration.ofSeconds(1));
            assertThat(metrics.count("storegw_pickup_alerts_total", "to", "local-mqtt", "outcome", "missed")).isEqualTo(1);

            store.start();
            Await.until(Duration.ofSeconds(60), "the reconnect", () -> metrics.gauge("storegw_pickup_alerts_connected") == 1);
            alerts.arrived(arrived);
            assertThat(metrics.count("storegw_pickup_alerts_total", "to", "local-mqtt", "outcome", "sent")).isEqualTo(1);
        }
    }
}
