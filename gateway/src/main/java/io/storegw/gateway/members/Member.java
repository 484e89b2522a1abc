package io.storegw.gateway.members;

import io.storegw.drivers.ble.identity.Registrations;
import java.util.List;
import java.util.Objects;

/**
 * A loyalty member as central registers them: the pseudonym every event about them carries, the
 * consent record that allows it, how their phone identifies itself, and keyed hashes of their cards.
 * {@link #toString()} never shows the keys: members get logged.
 *
 * @param pseudonym       central's pseudonym for the member (not their loyalty number)
 * @param consent         id of the consent record this registration rests on
 * @param eid             the phone's Eddystone-EID identity, or null
 * @param appBeaconSecret the app-beacon secret (hex), or null
 * @param loyaltyHashes   keyed hashes of the member's loyalty card numbers
 */
public record Member(String pseudonym, String consent, Eid eid, String appBeaconSecret, List<String> loyaltyHashes) {

    /** An Eddystone-EID identity: the 16-byte identity key (hex) and the rotation exponent (0 to 15). */
    public record Eid(String identityKey, int exponent) {
        @Override
        public String toString() {
            return "Eid[identityKey=<redacted>, exponent=" + exponent + "]";
        }
    }

    public Member {
        Objects.requireNonNull(pseudonym, "pseudonym");
        Objects.requireNonNull(consent, "consent");
        loyaltyHashes = loyaltyHashes == null ? List.of() : List.copyOf(loyaltyHashes);
    }

    /** What the radios need to recognise the member's phone. */
    public Registrations.Registered registered() {
        return new Registrations.Registered(pseudonym, eid == null ? null : eid.identityKey(), eid == null ? 0 : eid.exponent(), appBeaconSecret);
    }

    @Override
    public String toString() {
        return "Member[" + pseudonym + ", consent " + consent + (eid != null ? ", EID" : "")
                + (appBeaconSecret != null ? ", app beacon" : "") + ", " + loyaltyHashes.size() + " cards]";
    }
}
