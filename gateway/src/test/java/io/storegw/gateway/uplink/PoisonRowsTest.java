package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a row counts as the one the broker keeps closing the connection on, and when it never does. */
class PoisonRowsTest {

    private static final int FULL = 20;

    @Test
    void twoLossesOnTheSameRowSingleStepAndTwoMoreWithItAloneCondemnIt() {
        PoisonRows poison = new PoisonRows();
        assertThat(poison.closedWith(7, false)).isFalse();
        assertThat(poison.window(FULL)).as("one loss changes nothing").isEqualTo(FULL);
        assertThat(poison.closedWith(7, false)).isFalse();
        assertThat(poison.window(FULL)).as("two with the same row oldest: one row at a time").isOne();
        assertThat(poison.closedWith(7, true)).as("alone once").isFalse();
        assertThat(poison.closedWith(7, true)).as("alone twice").isTrue();
        assertThat(poison.window(FULL)).as("still one at a time, for the rows after it").isOne();
        for (long seq = 8; seq < 8 + 19; seq++) {
            poison.acknowledged(seq, 1);
        }
        assertThat(poison.window(FULL)).isOne();
        poison.acknowledged(27, 1);
        assertThat(poison.window(FULL)).as("twenty rows acknowledged one by one end it").isEqualTo(FULL);
    }

    @Test
    void aFlakyNetworkThatLetsRowsThroughBetweenLossesCondemnsNothing() {
        PoisonRows poison = new PoisonRows();
        for (long seq = 1; seq < 200; seq++) {
            assertThat(poison.closedWith(seq, true)).isFalse();
            poison.acknowledged(seq, poison.window(FULL));
        }
        assertThat(poison.window(FULL)).isEqualTo(FULL);
    }

    @Test
    void theSuspectAcknowledgedIsCleared() {
        PoisonRows poison = new PoisonRows();
        poison.closedWith(5, false);
        poison.closedWith(5, false);
        poison.closedWith(5, true);
        poison.acknowledged(5, 1); // it went through after all: a flaky network, not the row
        assertThat(poison.closedWith(5, true)).as("counting starts again").isFalse();
        assertThat(poison.closedWith(6, true)).isFalse();
        assertThat(poison.closedWith(6, true)).isTrue();
    }
}
