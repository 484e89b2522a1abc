package io.storegw.gateway.event;

/** How hard the outbox fights to keep an event when space runs out. */
public enum EventClass {
    /** Never shed: POS transactions, pickups, consent, the gateway's own reports. Full means push back on the source. */
    CRITICAL,
    /** Shed after bulk, oldest first: presence, visits, counts. */
    NORMAL,
    /** Shed first, oldest first: telemetry, beacon health. */
    BULK
}
