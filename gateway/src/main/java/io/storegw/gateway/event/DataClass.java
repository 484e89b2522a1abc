package io.storegw.gateway.event;

/** Whether an event's data can be tied to a loyalty member (the CloudEvents {@code dataclass} extension). */
public enum DataClass {
    /** Counts, buckets and keyed session hashes: no person can be singled out. */
    ANONYMOUS,
    /** Carries a member pseudonym or a keyed hash of a loyalty number; purged on consent revocation. */
    PSEUDONYMOUS;

    /** The value written on the wire. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
