package io.storegw.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.gateway.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class TimelineTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final AtomicBoolean pauseOnce = new AtomicBoolean();
    /** The monotonic clock as a thread sees it that pauses for 2 s just before one of its reads. */
    private final Timeline timeline = new Timeline(clock, () -> {
        if (pauseOnce.getAndSet(false)) {
            clock.advance(Duration.ofSeconds(2));
        }
        return clock.nanos();
    }, 0);

    @Test
    void aThreadPausedBetweenItsReadsOfTheTwoClocksSeesNoStep() {
        pauseOnce.set(true);
        assertThat(timeline.step()).isZero();
        clock.advance(Duration.ofMinutes(5));
        assertThat(timeline.step()).isZero();
    }

    @Test
    void aRealStepIsSeenEitherWay() {
        clock.step(Duration.ofSeconds(-30));
        assertThat(timeline.step()).isEqualTo(-30_000);
        clock.step(Duration.ofHours(8));
        pauseOnce.set(true);
        assertThat(timeline.step()).isEqualTo(Duration.ofHours(8).toMillis());
        assertThat(timeline.offset()).isEqualTo(Duration.ofHours(8).toMillis() - 30_000);
    }
}
