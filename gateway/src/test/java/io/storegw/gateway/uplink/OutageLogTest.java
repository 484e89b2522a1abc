package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutageLogTest {

    private static final String DARK = "no answer to the connection from the broker within 15 s";
    private static final String DNS = "cannot resolve the broker's name";
    private static final long MINUTE = 60_000;

    private final OutageLog log = new OutageLog();

    @Test
    void aReasonIsSaidOnceAndAgainOnlyEveryQuarterHourWithHowLongAndHowOften() {
        long t = 1_000_000;
        assertThat(log.connectFailed(DARK, t)).isEqualTo(DARK);
        for (int i = 1; i < 20; i++) {
            assertThat(log.connectFailed(DARK, t + i * 45_000)).as("attempt %d, %d s in", i + 1, i * 45).isNull();
        }
        assertThat(log.connectFailed(DARK, t + 15 * MINUTE)).isEqualTo(DARK + " (failing for 15 min, 21 attempts)");
        assertThat(log.connectFailed(DARK, t + 16 * MINUTE)).isNull();
        assertThat(log.connectFailed(DARK, t + 150 * MINUTE)).isEqualTo(DARK + " (failing for 2 h 30 min, 23 attempts)");
    }

    @Test
    void anotherReasonIsSaidAtOnceAndTwoTakingTurnsEachOnlyEveryQuarterHour() {
        assertThat(log.connectFailed(DARK, 0)).isEqualTo(DARK);
        assertThat(log.connectFailed(DNS, MINUTE)).isEqualTo(DNS);
        assertThat(log.connectFailed(DNS, 2 * MINUTE)).isNull();
        assertThat(log.connectFailed(DARK, 3 * MINUTE)).as("said 3 min ago, another between").isNull();
        assertThat(log.connectFailed(DNS, 4 * MINUTE)).isNull();
        assertThat(log.connectFailed(DARK, 15 * MINUTE)).isEqualTo(DARK + " (failing for 15 min, 6 attempts)");
        assertThat(log.connectFailed(DNS, 16 * MINUTE)).isEqualTo(DNS + " (failing for 16 min, 7 attempts)");
    }

    @Test
    void pastSixteenReasonsTheOneNotSeenLongestIsForgottenAndSaidAgain() {
        for (int i = 0; i < 17; i++) {
            assertThat(log.connectFailed("reason " + i, i * 1_000L)).isEqualTo("reason " + i);
        }
        assertThat(log.connectFailed("reason 16", 20_000)).isNull();
        assertThat(log.connectFailed("reason 1", 21_000)).as("still remembered").isNull();
        assertThat(log.connectFailed("reason 0", 22_000)).as("forgotten").isEqualTo("reason 0");
    }

    @Test
    void theConnectionAfterTellsTheAttemptsBeforeItAndTheNextOutageStartsAfresh() {
        assertThat(log.connected(0)).as("no outage before").isEmpty();
        log.connectFailed(DARK, 0);
        log.connectFailed(DARK, MINUTE);
        log.connectFailed(DARK, 2 * MINUTE);
        assertThat(log.connected(3 * MINUTE)).isEqualTo(", after 3 failed attempts in 3 min");
        assertThat(log.connected(4 * MINUTE)).isEmpty();
        assertThat(log.connectFailed(DARK, 5 * MINUTE)).as("a new outage: said again").isEqualTo(DARK);
        assertThat(log.connected(5 * MINUTE + 1_000)).isEqualTo(", after 1 failed attempt in under a minute");
    }

    @Test
    void aClockSetBackDoesNotSilenceItForTheLengthOfTheStep() {
        long t = 10 * 60 * MINUTE;
        log.connectFailed(DARK, t);
        assertThat(log.connectFailed(DARK, t - 60 * MINUTE)).as("set back an hour").startsWith(DARK + " (failing for under a minute");
        assertThat(log.connectFailed(DARK, t - 59 * MINUTE)).isNull();
    }
}
