package io.storegw.gateway.journey;

/**
 * Where an arrival is raised in the store itself, at once and whatever the uplink does: a staff display's
 * MQTT topic, a buzzer or light. Called on the core thread, so it must not block.
 */
public interface PickupAlerts {

    PickupAlerts NONE = arrived -> { };

    void arrived(PickupDesk.PickupArrived arrived);
}
