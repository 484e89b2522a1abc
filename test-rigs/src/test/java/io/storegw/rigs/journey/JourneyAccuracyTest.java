package io.storegw.rigs.journey;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.virtual.PresenceScenario;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The journey targets on a smaller seeded run of the benchmark's scenario: every card purchase tied to
 * its member's visit, none without a card tied to anyone, every arrival raised, and the quick arrival
 * quicker than waiting for the tracker.
 */
class JourneyAccuracyTest {

    @Test
    void purchasesAreTiedRightNobodyIsGuessedAndArrivalsAreRaisedSooner() throws Exception {
        PresenceScenario.Settings scenario = PresenceScenario.Settings.defaults(7, 60, Duration.ofSeconds(1));
        JourneyAccuracy.Score baseline = JourneyAccuracy.run("baseline", scenario, JourneyAccuracy.config(0, false));
        JourneyAccuracy.Score chosen = JourneyAccuracy.run("default", scenario, JourneyAccuracy.config(10, false));

        assertThat(chosen.cardSales()).isGreaterThan(20);
        assertThat(chosen.precision()).isEqualTo(1.0);
        assertThat(chosen.recall()).isGreaterThanOrEqualTo(0.95);
        assertThat(chosen.guessed()).isZero();
        assertThat(chosen.orders()).isGreaterThan(5);
        assertThat(chosen.missedAlerts()).isZero();
        assertThat(chosen.alertP90()).as("near the receiver beats waiting for the tracker").isLessThan(baseline.alertP90());
    }
}
