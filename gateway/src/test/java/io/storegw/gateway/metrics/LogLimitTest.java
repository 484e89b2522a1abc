package io.storegw.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A flood of one warning reaches the journal one by one up to the limit, then as a summary a minute that counts what it stands for. */
class LogLimitTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void oneByOneThenASummaryAMinuteThatCountsEveryOccurrence() {
        LogLimit limit = new LogLimit(3, Duration.ofMinutes(1));
        long t = 1_000 * SECOND;
        List<LogLimit.Line> lines = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            lines.add(limit.next(t));
        }
        assertThat(lines).containsOnly(new LogLimit.Line(false, 1, 0));
        for (int i = 1; i < 60; i++) {
            assertThat(limit.next(t + i * SECOND)).as("second %d of the flood", i).isNull();
        }
        assertThat(limit.next(t + 60 * SECOND)).isEqualTo(new LogLimit.Line(true, 60, 60)); // 59 quiet ones and this
        assertThat(limit.next(t + 61 * SECOND)).isNull();
        assertThat(limit.next(t + 200 * SECOND)).as("a late one after a quiet spell").isEqualTo(new LogLimit.Line(true, 2, 140));
    }

    @Test
    void theJournalGetsEachLineThenASummaryNamingWhatItCounts() {
        LogLimit limit = new LogLimit(1, Duration.ofMinutes(1));
        long t = 1_000 * SECOND;
        assertThat(limit.text(t, "Source x refused an input (malformed): a", "Source x refused", "inputs", "(malformed) a"))
                .isEqualTo("Source x refused an input (malformed): a");
        assertThat(limit.text(t + SECOND, "Source x refused an input (malformed): b", "Source x refused", "inputs", "(malformed) b")).isNull();
        assertThat(limit.text(t + 60 * SECOND, "Source x refused an input (malformed): c", "Source x refused", "inputs", "(malformed) c"))
                .isEqualTo("Source x refused 2 more inputs in the last 60 s; the last: (malformed) c");
    }
}
