package io.storegw.gateway.event;

import java.time.Duration;

/**
 * One kind of event in the catalogue: where it is published, how it is kept, how long it lives.
 *
 * @param family the topic family ({@code pos}, {@code presence}, {@code store}, {@code gateway}, ...)
 * @param name   the name within the family, for example {@code transaction.completed}
 * @param ttl    how long it may wait in the outbox before it expires unsent (config can override)
 */
public record EventType(String family, String name, EventClass eventClass, Duration ttl) {

    /** The catalogue key, {@code family.name}, as used in config and docs. */
    public String key() {
        return family + "." + name;
    }

    /** The CloudEvents {@code type}: {@code io.storegw.{family}.{name}.v1}. */
    public String cloudEventType() {
        return "io.storegw." + key() + ".v1";
    }
}
