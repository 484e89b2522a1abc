package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void delaysGrowExponentiallyWithFullJitterUpToTheCapAndStartOverAfterReset() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new SplittableRandom(1));
        long[] ceilings = {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000};
        long highest = 0;
        for (long ceiling : ceilings) {
            long delay = backoff.nextDelayMillis();
            assertThat(delay).isBetween(0L, ceiling);
            highest = Math.max(highest, delay);
        }
        assertThat(highest).as("jitter spreads over the range").isGreaterThan(1000);
        for (int i = 0; i < 100; i++) {
            assertThat(backoff.nextDelayMillis()).isLessThanOrEqualTo(5000);
        }
        backoff.reset();
        assertThat(backoff.nextDelayMillis()).isLessThanOrEqualTo(100);
    }
}
