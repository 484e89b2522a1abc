package io.storegw.rigs.presence;

import io.storegw.drivers.virtual.PresenceScenario;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The virtual-store scenario a benchmark walks: {@code --visits} and {@code --seed}, shared by the presence and journey benchmarks. */
public final class ScenarioOptions {

    @Option(names = "--visits", paramLabel = "N", defaultValue = "300", description = "Visits per scenario (default: ${DEFAULT-VALUE}).")
    int visits;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Scenario seed (default: ${DEFAULT-VALUE}).")
    long seed;

    /** The default scenario with these visits and seed, phones advertising every {@code advertEvery}. */
    public PresenceScenario.Settings scenario(Duration advertEvery) {
        return PresenceScenario.Settings.defaults(seed, visits, advertEvery);
    }

    /** "N member visits, seed S", for the report. */
    public String describe() {
        return visits + " member visits, seed " + seed;
    }
}
