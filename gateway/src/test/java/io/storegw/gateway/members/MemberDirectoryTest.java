package io.storegw.gateway.members;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemberDirectoryTest {

    static Member member(int n, int cards) {
        List<String> hashes = new ArrayList<>();
        for (int c = 0; c < cards; c++) {
            hashes.add("card-" + n + "-" + c);
        }
        return new Member("m-" + n, "consent-" + n, null, null, hashes);
    }

    /** At the limits a new member does not fit, and a member already kept can still be changed with no more cards. */
    @Test
    void aMemberFitsUnderTheLimitsAndAKnownOneCanAlwaysBeChanged() {
        MemberDirectory directory = new MemberDirectory();
        List<Member> all = new ArrayList<>();
        for (int n = 0; n < MemberDirectory.MAX_MEMBERS; n++) {
            all.add(member(n, 2));
        }
        directory.publish(all);
        assertThat(directory.wouldNotFit(member(MemberDirectory.MAX_MEMBERS, 0)))
                .startsWith("this gateway keeps at most " + MemberDirectory.MAX_MEMBERS + " members");
        assertThat(directory.wouldNotFit(member(7, 2))).as("a known member, its cards replaced").isNull();
        assertThat(directory.wouldNotFit(member(7, 0))).isNull();
        assertThat(directory.wouldNotFit(member(7, 3))).as("one card past the limit")
                .isEqualTo("this gateway keeps at most " + MemberDirectory.MAX_CARDS
                        + " loyalty-card hashes over all members, and this member's 3 would make " + (MemberDirectory.MAX_CARDS + 1));

        all.remove(0);
        directory.publish(all);
        assertThat(directory.wouldNotFit(member(MemberDirectory.MAX_MEMBERS, 2))).as("a place freed").isNull();
        assertThat(directory.wouldNotFit(member(MemberDirectory.MAX_MEMBERS, 3))).contains("would make " + (MemberDirectory.MAX_CARDS + 1));
    }

    /** A member put or removed gives what publishing the whole table after the change gives. */
    @Test
    void aChangeMemberByMemberIsWhatPublishingTheWholeTableGives() {
        MemberDirectory changed = new MemberDirectory();
        changed.publish(List.of(member(1, 2), member(2, 1), member(3, 0)));
        changed.put(new Member("m-1", "consent-1b", new Member.Eid("e2d9a3f40c11b4a7d09e7a5c3b1f2e60", 10), null, List.of("card-1-1", "card-1-new")));
        changed.put(member(4, 1));
        changed.remove("m-2");
        changed.remove("m-nobody");

        MemberDirectory whole = new MemberDirectory();
        whole.publish(List.of(new Member("m-1", "consent-1b", new Member.Eid("e2d9a3f40c11b4a7d09e7a5c3b1f2e60", 10), null,
                List.of("card-1-1", "card-1-new")), member(3, 0), member(4, 1)));
        for (String card : List.of("card-1-0", "card-1-1", "card-1-new", "card-2-0", "card-4-0")) {
            assertThat(changed.byLoyaltyHash(card)).as(card).isEqualTo(whole.byLoyaltyHash(card));
        }
        assertThat(changed.byLoyaltyHash("card-1-0")).as("the card m-1 no longer has").isNull();
        for (String pseudonym : List.of("m-1", "m-2", "m-3", "m-4")) {
            assertThat(changed.contains(pseudonym)).as(pseudonym).isEqualTo(whole.contains(pseudonym));
        }
        assertThat(changed.size()).isEqualTo(3);
        assertThat(changed.registrations().size()).isEqualTo(whole.registrations().size()).isEqualTo(3);
    }
}
