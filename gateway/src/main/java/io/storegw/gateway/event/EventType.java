package io.storegw.gateway.event;

import java.time.Duration;
import java.util.Objects;

/**
 * One kind of event in the catalogue: where it is published, how it is kept, how long it lives.
 * Its derived names are built once here, not for every event on the outbox's hot path.
 */
public final class EventType {

    private final String family;
    private final String name;
    private final EventClass eventClass;
    private final Duration ttl;
    private final String key;
    private final String cloudEventType;

    /**
     * @param family the topic family ({@code pos}, {@code presence}, {@code store}, {@code gateway}, ...)
     * @param name   the name within the family, for example {@code transaction.completed}
     * @param ttl    how long it may wait in the outbox before it expires unsent (config can override)
     */
    public EventType(String family, String name, EventClass eventClass, Duration ttl) {
        this.family = Objects.requireNonNull(family, "family");
        this.name = Objects.requireNonNull(name, "name");
        this.eventClass = Objects.requireNonNull(eventClass, "eventClass");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.key = family + "." + name;
        this.cloudEventType = "io.storegw." + key + ".v1";
    }

    public String family() {
        return family;
    }

    public String name() {
        return name;
    }

    public EventClass eventClass() {
        return eventClass;
    }

    public Duration ttl() {
        return ttl;
    }

    /** The catalogue key, {@code family.name}, as used in config and docs. */
    public String key() {
        return key;
    }

    /** The CloudEvents {@code type}: {@code io.storegw.{family}.{name}.v1}. */
    public String cloudEventType() {
        return cloudEventType;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventType t && t.key.equals(key) && t.eventClass == eventClass && t.ttl.equals(ttl);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public String toString() {
        return key;
    }
}
