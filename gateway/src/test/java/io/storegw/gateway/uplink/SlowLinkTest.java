package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SlowLinkTest {

    private final SlowLink link = new SlowLink(Duration.ofSeconds(30));

    @Test
    void twoKeepAliveLossesWithTheSameRowDoubleTheKeepAliveUpToTheCeiling() {
        assertThat(link.keepAliveLost(7)).as("one loss never stretches").isNull();
        assertThat(link.keepAlive()).isEqualTo(Duration.ofSeconds(30));
        assertThat(link.keepAliveLost(7)).isEqualTo(Duration.ofSeconds(60));
        assertThat(link.keepAlive()).isEqualTo(Duration.ofSeconds(60));
        assertThat(link.keepAliveLost(7)).isEqualTo(Duration.ofSeconds(120));
        for (int i = 0; i < 10; i++) {
            link.keepAliveLost(7);
        }
        assertThat(link.keepAlive()).isEqualTo(SlowLink.CEILING);
        assertThat(link.keepAliveLost(7)).as("no further than the ceiling").isNull();
    }

    @Test
    void lossesWithDifferentRowsOrNoneInFlightAreADeadLinkNotASlowOne() {
        assertThat(link.keepAliveLost(7)).isNull();
        assertThat(link.keepAliveLost(8)).isNull();
        assertThat(link.keepAliveLost(0)).isNull();
        assertThat(link.keepAliveLost(8)).as("the row before was none").isNull();
        assertThat(link.keepAlive()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theRowThroughTheNextConnectionGoesBackAndALaterLossGetsTheNeededKeepAliveAtOnce() {
        link.keepAliveLost(7);
        link.keepAliveLost(7);
        link.keepAliveLost(7);
        assertThat(link.keepAlive()).isEqualTo(Duration.ofSeconds(120));
        link.acknowledged(6);
        assertThat(link.keepAlive()).as("not through yet").isEqualTo(Duration.ofSeconds(120));
        link.acknowledged(7);
        assertThat(link.keepAlive()).as("through: a dead link is noticed soon again").isEqualTo(Duration.ofSeconds(30));
        assertThat(link.keepAliveLost(12)).as("the link is known to be slow").isEqualTo(Duration.ofSeconds(120));
        assertThat(link.keepAlive()).isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void aRowAcknowledgedBetweenLossesIsNoSuspectAnyMore() {
        link.keepAliveLost(7);
        link.acknowledged(7);
        assertThat(link.keepAliveLost(7)).as("row 7 was taken: sent again, it is a new suspect").isNull();
    }
}
