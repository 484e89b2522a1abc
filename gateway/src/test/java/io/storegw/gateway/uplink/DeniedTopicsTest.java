package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeniedTopicsTest {

    private static final String TOPIC = "storegw/v1/acme/s042/gw1/evt/store/footfall";
    private final DeniedTopics denied = new DeniedTopics();

    @Test
    void aTopicRefusedAsNotAuthorizedIsRefusedHereUntilItIsTriedAgain() {
        assertThat(denied.check(TOPIC, 0)).as("nothing refused yet").isNull();
        denied.refused(TOPIC, new Refusal(0x87, "the ACL"), 1_000);

        Refusal local = denied.check(TOPIC, 2_000);
        assertThat(local).isNotNull();
        assertThat(local.code()).isEqualTo(0x87);
        assertThat(local.describe()).contains("not authorized (135)", "not sent", "the ACL");
        assertThat(denied.check(TOPIC.replace("footfall", "visit"), 2_000)).as("another topic").isNull();
        assertThat(denied.check(TOPIC, 1_000 + DeniedTopics.RETRY.toMillis() - 1)).isNotNull();

        assertThat(denied.check(TOPIC, 1_000 + DeniedTopics.RETRY.toMillis())).as("tried again").isNull();
        assertThat(denied.check(TOPIC, 1_000 + DeniedTopics.RETRY.toMillis() + 1)).as("until the broker says again").isNull();
    }

    /** A clock set back a day past the refusal would otherwise refuse the topic's events here for a day and 15 minutes. */
    @Test
    void aClockSetBackPastTheRefusalAsksTheBrokerAgain() {
        long day = 86_400_000L;
        denied.refused(TOPIC, new Refusal(0x87, "the ACL"), 10 * day);
        assertThat(denied.check(TOPIC, 10 * day + 1)).isNotNull();
        assertThat(denied.check(TOPIC, 9 * day)).as("the clock set back a day").isNull();
    }

    @Test
    void refusalsOfOneMessageAreNotHeldAgainstItsTopic() {
        denied.refused(TOPIC, new Refusal(Refusal.PACKET_TOO_LARGE, null), 0);
        denied.refused(TOPIC, new Refusal(0x99, "payload format invalid"), 0);
        denied.refused(TOPIC, new Refusal(Refusal.CLOSED, null), 0);
        assertThat(denied.check(TOPIC, 1)).isNull();
    }

    @Test
    void aTopicTakenAfterAllIsSentAgainAtOnce() {
        denied.refused(TOPIC, new Refusal(0x90, null), 0);
        assertThat(denied.check(TOPIC, 1)).isNotNull();
        denied.accepted(TOPIC);
        assertThat(denied.check(TOPIC, 2)).isNull();
    }
}
