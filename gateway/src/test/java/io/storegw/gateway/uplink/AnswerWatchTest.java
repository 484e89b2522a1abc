package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AnswerWatchTest {

    private static final long S = 1_000_000_000L;

    @Test
    void eventsInFlightWithNoPubackForFourKeepAlivesEndTheConnection() {
        AnswerWatch watch = new AnswerWatch(Duration.ofSeconds(30));
        assertThat(watch.check(20, 0, 0)).isNull();
        assertThat(watch.check(20, 0, 119 * S)).isNull();
        assertThat(watch.check(20, 0, 120 * S)).isEqualTo("central's broker acknowledged none of 20 events in flight for 120 s,"
                + " though it answered the keep-alive: connecting again to send them again");
    }

    @Test
    void eachPubackStartsTheWaitAgain() {
        AnswerWatch watch = new AnswerWatch(Duration.ofSeconds(30));
        watch.check(20, 0, 0);
        watch.check(20, 1, 100 * S); // one PUBACK: the broker answers, slowly
        assertThat(watch.check(20, 1, 219 * S)).isNull();
        assertThat(watch.check(20, 1, 220 * S)).isNotNull();
    }

    @Test
    void anEmptyWindowIsNoWait() {
        AnswerWatch watch = new AnswerWatch(Duration.ofSeconds(30));
        watch.check(0, 0, 0);
        assertThat(watch.check(0, 0, 3_600 * S)).as("nothing in flight for an hour").isNull();
        // The wait counts from the last look that saw the window empty (the pump looks every 200 ms).
        assertThat(watch.check(1, 0, 3_719 * S)).isNull();
        assertThat(watch.check(1, 0, 3_720 * S)).isNotNull();
    }
}
