package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The uplink's waits on the wall clock end when the clock is set back past their start, not when it comes round again. */
class ClockSetBackWaitsTest {

    private static final long DAY = 86_400_000L;

    @Test
    void aRefusedStateIsTriedAgainAtOnce() {
        StateRefusals state = new StateRefusals("storegw/v1/acme/s042/gw1/state");
        state.refused(new Refusal(0x87, "the ACL"), 10 * DAY);
        assertThat(state.stateDue(10 * DAY + 1)).isFalse();
        assertThat(state.withWill(10 * DAY + 1)).isFalse();
        assertThat(state.stateDue(9 * DAY)).as("the clock set back a day").isTrue();
        assertThat(state.withWill(9 * DAY)).isTrue();
    }

    @Test
    void takeoversBeforeTheClockWasSetBackAreNotLately() {
        SessionTakeovers takeovers = new SessionTakeovers();
        takeovers.takenOver(10 * DAY);
        takeovers.takenOver(10 * DAY + 1_000);
        assertThat(takeovers.problem(10 * DAY + 2_000, "gw1")).isNotNull();
        assertThat(takeovers.lately(9 * DAY)).as("the clock set back a day").isFalse();
        assertThat(takeovers.problem(9 * DAY, "gw1")).isNull();
    }

    @Test
    void elapsedCountsForwardAndEndsOnASetBack() {
        assertThat(Elapsed.over(1_000, 1_999, 1_000)).isFalse();
        assertThat(Elapsed.over(1_000, 2_000, 1_000)).isTrue();
        assertThat(Elapsed.over(1_000, 999, 1_000)).as("set back past the start").isTrue();
    }
}
