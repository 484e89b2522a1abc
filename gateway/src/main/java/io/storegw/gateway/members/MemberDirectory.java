package io.storegw.gateway.members;

import io.storegw.drivers.ble.identity.Registrations;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The registered members as the rest of the gateway reads them: by loyalty-card hash for the tills,
 * by pseudonym for the journey, and their phones' identities for the radios. Published whole after each
 * change of the member table; readers on any thread see one consistent set.
 */
public final class MemberDirectory {

    private record Snapshot(Map<String, String> byCard, Set<String> pseudonyms) {
    }

    private final Registrations registrations = new Registrations();
    private volatile Snapshot current = new Snapshot(Map.of(), Set.of());

    /** Replaces the whole set. */
    public synchronized void publish(Collection<Member> members) {
        Map<String, String> byCard = new HashMap<>();
        members.forEach(m -> m.loyaltyHashes().forEach(h -> byCard.put(h, m.pseudonym())));
        current = new Snapshot(Map.copyOf(byCard), members.stream().map(Member::pseudonym).collect(Collectors.toUnmodifiableSet()));
        registrations.publish(members.stream().map(Member::registered).toList());
    }

    /** The member whose card has this keyed hash, or null. */
    public String byLoyaltyHash(String hash) {
        return hash == null ? null : current.byCard().get(hash);
    }

    /** Whether the pseudonym is a registered member now. */
    public boolean contains(String pseudonym) {
        return current.pseudonyms().contains(pseudonym);
    }

    /** How many members there are. */
    public int size() {
        return current.pseudonyms().size();
    }

    /** What the radios follow. */
    public Registrations registrations() {
        return registrations;
    }
}
