package io.storegw.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** A kind of refusal keeps its count and its last one, with the time to the second and its reason. */
class RefusalsTest {

    @Test
    void theCountAndTheLastWithItsTimeAndReason() {
        Refusals refusals = new Refusals(Clock.fixed(Instant.parse("2026-12-04T01:54:12.738Z"), ZoneOffset.UTC), "Central's broker refused", "events");
        assertThat(refusals.tally()).isEqualTo(new Refusals.Tally(0, null, null));
        refusals.refused("135", "event 00000000000000000007 (...): not authorized (135)", "a line");
        refusals.refused("151", "event 00000000000000000009 (...): quota exceeded (151)", null); // logged elsewhere: counted all the same
        assertThat(refusals.tally()).isEqualTo(new Refusals.Tally(2, "151", "2026-12-04T01:54:12Z event 00000000000000000009 (...): quota exceeded (151)"));
    }

    @Test
    void aFloodOfOneReasonHidesNoOther() {
        Refusals refusals = new Refusals(Clock.systemUTC(), "Central's broker refused", "events");
        long t = 0;
        for (int i = 1; i <= 10; i++) {
            assertThat(refusals.refused(t, "135", "event " + i, "refused event " + i)).isEqualTo("refused event " + i);
        }
        assertThat(refusals.refused(t, "135", "event 11", "refused event 11")).as("the eleventh in the minute").isNull();
        assertThat(refusals.refused(t, "151", "event 12", "refused event 12")).as("another reason").isEqualTo("refused event 12");
        assertThat(refusals.refused(t + 60_000_000_000L, "135", "event 13", "refused event 13"))
                .isEqualTo("Central's broker refused 2 more events (135) in the last 60 s; the last: event 13");
        assertThat(refusals.tally().count()).isEqualTo(13);
    }
}
