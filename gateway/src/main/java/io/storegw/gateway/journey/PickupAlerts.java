package io.storegw.gateway.journey;

import io.storegw.gateway.metrics.Metrics;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where an arrival is raised in the store itself, at once and whatever the uplink does: a staff display's
 * MQTT topic, a buzzer or light. Called on the core thread, so it must not block.
 */
public interface PickupAlerts {

    PickupAlerts NONE = arrived -> { };

    void arrived(PickupDesk.PickupArrived arrived);

    /** {@code storegw_pickup_alerts_total{to, outcome}}: arrivals announced in the store, by where and how it went. */
    static LongAdder counter(Metrics metrics, String to, String outcome) {
        return metrics.counter("storegw_pickup_alerts_total", "Arrivals announced to the store, by where and outcome",
                "to", to, "outcome", outcome);
    }
}
