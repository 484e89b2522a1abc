package io.storegw.gateway.event;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every event type the gateway publishes; each has a JSON Schema in {@code docs/events/}. */
public final class EventCatalogue {

    public static final EventType POS_TRANSACTION_COMPLETED =
            new EventType("pos", "transaction.completed", EventClass.CRITICAL, Duration.ofDays(30));
    public static final EventType STORE_FOOTFALL =
            new EventType("store", "footfall", EventClass.NORMAL, Duration.ofDays(7));
    public static final EventType STORE_OCCUPANCY =
            new EventType("store", "occupancy", EventClass.NORMAL, Duration.ofDays(7));
    public static final EventType PRESENCE_COUNTS =
            new EventType("presence", "counts", EventClass.NORMAL, Duration.ofDays(7));
    public static final EventType PRESENCE_ZONE_ENTERED =
            new EventType("presence", "zone.entered", EventClass.NORMAL, Duration.ofDays(7));
    public static final EventType PRESENCE_ZONE_EXITED =
            new EventType("presence", "zone.exited", EventClass.NORMAL, Duration.ofDays(7));
    public static final EventType PRESENCE_ZONES =
            new EventType("presence", "zones", EventClass.NORMAL, Duration.ofDays(7));
    public static final EventType VISIT_STARTED =
            new EventType("visit", "started", EventClass.NORMAL, Duration.ofDays(7));
    public static final EventType VISIT_ENDED =
            new EventType("visit", "ended", EventClass.NORMAL, Duration.ofDays(7));
    public static final EventType JOURNEY_ATTRIBUTED =
            new EventType("journey", "attributed", EventClass.NORMAL, Duration.ofDays(7));
    /** Useless once the customer has gone: short-lived, so a long outage drops (and reports) it. */
    public static final EventType PICKUP_ARRIVED =
            new EventType("pickup", "arrived", EventClass.NORMAL, Duration.ofMinutes(15));
    public static final EventType PICKUP_COLLECTED =
            new EventType("pickup", "collected", EventClass.NORMAL, Duration.ofDays(7));
    public static final EventType BEACON_HEALTH =
            new EventType("beacon", "health", EventClass.BULK, Duration.ofDays(1));
    public static final EventType BEACON_MISSING =
            new EventType("beacon", "missing", EventClass.NORMAL, Duration.ofDays(7));
    public static final EventType DEVICE_READING =
            new EventType("device", "reading", EventClass.NORMAL, Duration.ofDays(7));
    public static final EventType DEVICE_STATUS =
            new EventType("device", "status", EventClass.NORMAL, Duration.ofDays(7));
    public static final EventType DEVICE_FAULT =
            new EventType("device", "fault", EventClass.CRITICAL, Duration.ofDays(30));
    public static final EventType GATEWAY_TELEMETRY =
            new EventType("gateway", "telemetry", EventClass.BULK, Duration.ofDays(1));
    public static final EventType GATEWAY_DROPPED =
            new EventType("gateway", "dropped", EventClass.CRITICAL, Duration.ofDays(30));
    public static final EventType GATEWAY_ALARM =
            new EventType("gateway", "alarm", EventClass.CRITICAL, Duration.ofDays(30));
    public static final EventType GATEWAY_LAYOUT =
            new EventType("gateway", "layout", EventClass.CRITICAL, Duration.ofDays(30));

    public static final List<EventType> ALL = List.of(POS_TRANSACTION_COMPLETED, STORE_FOOTFALL, STORE_OCCUPANCY, PRESENCE_COUNTS,
            PRESENCE_ZONE_ENTERED, PRESENCE_ZONE_EXITED, PRESENCE_ZONES, VISIT_STARTED, VISIT_ENDED, JOURNEY_ATTRIBUTED, PICKUP_ARRIVED, PICKUP_COLLECTED, BEACON_HEALTH, BEACON_MISSING, DEVICE_READING, DEVICE_STATUS, DEVICE_FAULT, GATEWAY_TELEMETRY, GATEWAY_DROPPED, GATEWAY_ALARM,
            GATEWAY_LAYOUT);

    private EventCatalogue() {
    }

    /** Finds a type by its catalogue key ({@code family.name}). */
    public static Optional<EventType> byName(String key) {
        return ALL.stream().filter(t -> t.key().equals(key)).findFirst();
    }

    /** Finds a type by its CloudEvents {@code type} ({@code io.storegw.family.name.v1}). */
    public static Optional<EventType> byCloudEventType(String type) {
        return ALL.stream().filter(t -> t.cloudEventType().equals(type)).findFirst();
    }
}
