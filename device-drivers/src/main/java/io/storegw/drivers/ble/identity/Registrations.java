package io.storegw.drivers.ble.identity;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The members whose phones may be recognised, shared by every radio's {@link IdentityResolver}: the
 * member table's owner publishes the whole set, then each change, and each resolver takes it up on its
 * own thread at its next advertisement (a volatile read when nothing changed).
 */
public final class Registrations {

    /**
     * One member's phone identities, as hex; either may be null.
     *
     * @param eidIdentityKey  the Eddystone-EID identity key (16 bytes)
     * @param appBeaconSecret the app-beacon secret
     */
    public record Registered(String memberId, String eidIdentityKey, int eidExponent, String appBeaconSecret) {
        @Override
        public String toString() {
            return "Registered[" + memberId + (eidIdentityKey != null ? ", EID" : "") + (appBeaconSecret != null ? ", app beacon" : "") + "]";
        }
    }

    /** What was published, and a version that changes with every publication. */
    record Snapshot(long version, Map<String, Registered> members) {
    }

    private volatile Snapshot current = new Snapshot(0, Map.of());

    /** Replaces the whole set. */
    public synchronized void publish(Collection<Registered> members) {
        Map<String, Registered> byId = new LinkedHashMap<>();
        members.forEach(m -> byId.put(m.memberId(), m));
        current = new Snapshot(current.version() + 1, Map.copyOf(byId));
    }

    /** Adds or replaces one member's identities. */
    public synchronized void put(Registered member) {
        Map<String, Registered> byId = new LinkedHashMap<>(current.members());
        byId.put(member.memberId(), member);
        current = new Snapshot(current.version() + 1, Collections.unmodifiableMap(byId));
    }

    /** Removes one member's identities. */
    public synchronized void remove(String memberId) {
        Map<String, Registered> byId = new LinkedHashMap<>(current.members());
        if (byId.remove(memberId) != null) {
            current = new Snapshot(current.version() + 1, Collections.unmodifiableMap(byId));
        }
    }

    Snapshot current() {
        return current;
    }

    /** How many members are registered now. */
    public int size() {
        return current.members().size();
    }
}
