package io.storegw.gateway.members;

import io.storegw.drivers.ble.identity.Registrations;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The registered members as the rest of the gateway reads them: by loyalty-card hash for the tills,
 * by pseudonym for the journey, and their phones' identities for the radios. Published whole from the member table
 * at start, then changed member by member as the table is; readers on any thread see one consistent set.
 */
public final class MemberDirectory {

    /**
     * Members a gateway keeps at most. Each costs about 0.8 KB of the appliance's 64 MB heap where the radios recognise
     * it (a gateway with 20,000 held 35 MB after a full collection, 19 MB with none), and the start holds the table's
     * members once more while it builds the set: some 50,000 would not fit, and a table the heap cannot hold stops
     * every start after. Central is told {@code full} instead.
     */
    public static final int MAX_MEMBERS = 20_000;
    /** Loyalty-card hashes kept at most over all members (about 0.15 KB each): two a member on average. */
    public static final int MAX_CARDS = 2 * MAX_MEMBERS;

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

    /**
     * Takes a member in, or changes one, as {@link #publish} of the table with it would. Reading the table whole after
     * each command cost 0.4 s at 20,000 members (decrypted and decoded row by row), so loading a store's members one
     * command at a time grew with the square of their number.
     */
    public synchronized void put(Member member) {
        replace(member.pseudonym(), member);
        registrations.put(member.registered());
    }

    /** Lets a member go, as {@link #publish} of the table without them would. */
    public synchronized void remove(String pseudonym) {
        if (current.pseudonyms().contains(pseudonym)) {
            replace(pseudonym, null);
            registrations.remove(pseudonym);
        }
    }

    /** The snapshot with {@code pseudonym}'s cards and name taken out, then {@code member}'s put in (null: none). */
    private void replace(String pseudonym, Member member) {
        Map<String, String> byCard = new HashMap<>(current.byCard());
        byCard.values().removeIf(pseudonym::equals);
        Set<String> pseudonyms = new HashSet<>(current.pseudonyms());
        pseudonyms.remove(pseudonym);
        if (member != null) {
            member.loyaltyHashes().forEach(h -> byCard.put(h, pseudonym));
            pseudonyms.add(pseudonym);
        }
        current = new Snapshot(Collections.unmodifiableMap(byCard), Collections.unmodifiableSet(pseudonyms));
    }

    /**
     * Why {@code member} would not fit, or null when it does. A member already kept always fits with no more cards
     * than it has: central can change a key or a consent at the limit.
     */
    public String wouldNotFit(Member member) {
        Snapshot s = current;
        boolean known = s.pseudonyms().contains(member.pseudonym());
        if (!known && s.pseudonyms().size() >= MAX_MEMBERS) {
            return "this gateway keeps at most " + MAX_MEMBERS + " members and has " + s.pseudonyms().size()
                    + ": remove some (members.remove) before adding others";
        }
        long theirs = known ? s.byCard().values().stream().filter(member.pseudonym()::equals).count() : 0;
        long cards = s.byCard().size() - theirs + member.loyaltyHashes().size();
        if (cards > MAX_CARDS) {
            return "this gateway keeps at most " + MAX_CARDS + " loyalty-card hashes over all members, and this member's "
                    + member.loyaltyHashes().size() + " would make " + cards;
        }
        return null;
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
