package io.storegw.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.metrics.Refusals;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** What the sources refused is counted by reason for /metrics, and by source with the last one for storegw status. */
class RefusedInputTest {

    @Test
    void eachSourceKeepsItsCountAndItsLastRefusalWithItsTime() {
        Metrics metrics = new Metrics();
        RefusedInput refused = new RefusedInput(metrics, Clock.fixed(Instant.parse("2026-12-03T21:07:35.412Z"), ZoneOffset.UTC));
        assertThat(refused.of("local-mqtt")).isEqualTo(new Refusals.Tally(0, null, null));
        refused.refused("local-mqtt", "malformed", "topic store/shelves/a3/weight: grams: 'heavy' is not a number");
        refused.refused("local-mqtt", "missing-field", "topic store/shelves/a4/weight: no grams");
        refused.refused("pos-http", "unauthorized", "a poslog post from 10.0.0.7 without a till's token answered 401");
        assertThat(refused.of("local-mqtt")).isEqualTo(new Refusals.Tally(2, "missing-field", "2026-12-03T21:07:35Z topic store/shelves/a4/weight: no grams"));
        assertThat(refused.of("pos-http").count()).isEqualTo(1);
        assertThat(metrics.count("storegw_bad_input_total", "source", "local-mqtt", "reason", "malformed")).isEqualTo(1);
        assertThat(metrics.count("storegw_bad_input_total", "source", "local-mqtt", "reason", "missing-field")).isEqualTo(1);
        assertThat(metrics.count("storegw_bad_input_total", "source", "pos-http", "reason", "unauthorized")).isEqualTo(1);
    }
}
