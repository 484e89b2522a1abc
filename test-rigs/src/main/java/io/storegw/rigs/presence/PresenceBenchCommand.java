package io.storegw.rigs.presence;

import io.storegw.rigs.bench.Reports;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code storegw bench-presence}: zone accuracy of the presence engine against the virtual store's ground truth. */
@Command(name = "bench-presence", mixinStandardHelpOptions = true,
        description = {"Measure how well the presence engine places members in zones.",
                "",
                "Walks members through the virtual store (radio model: path loss, shelving, fading, body shadowing,"
                + " dropped advertisements), runs the sightings through the zone tracker with each filter and through"
                + " a naive nearest-receiver baseline, and scores them against where the members really were. Two"
                + " advertising rates: 1 s (an app in the foreground) and 10 s (what BlueZ over D-Bus may deliver per"
                + " device). Writes a dated report to --results."})
public final class PresenceBenchCommand implements Callable<Integer> {

    @Mixin
    ScenarioOptions scenario;

    @Mixin
    Reports reports;

    @Override
    public Integer call() throws Exception {
        List<String> report = new ArrayList<>();
        report.add("# storegw presence accuracy benchmark, " + LocalDateTime.now().toLocalDate());
        report.add("");
        report.add("Scenario: the virtual store's 6 zones (10 m x 8 m each, one receiver per zone at its centre, 2.5 m up), " + scenario.describe() + ".");
        report.add("Each visit: entrance, 2-4 aisles, checkout, out; 45 s to 4 min per zone, strolling; walking between zones.");
        report.add("Radio: -59 dBm at 1 m (phones differ, σ 3 dB), path-loss exponent 2.3, 3 dB per zone boundary, fading σ 4 dB,");
        report.add("body shadowing 10 dB (1 in 40 links a second, 15 s on average), 15% of advertisements dropped, sensitivity -95 dBm.");
        report.add("Tracker: the gateway's defaults (window 5 s, margin 6 dB, 2 wins, exitAfter 60 s, minDwell 20 s).");
        report.add("Accuracy: share of member-seconds in the store placed in the true zone. Flaps: published stays in a zone the member");
        report.add("was mostly not in, per visit. Latency: from the true entry (exit) to the event's publication, in seconds.");
        boolean met = true;
        for (Duration every : List.of(Duration.ofSeconds(1), Duration.ofSeconds(10))) {
            List<PresenceAccuracy.Score> scores = PresenceAccuracy.run(scenario.scenario(every),
                    PresenceAccuracy.placers());
            PresenceAccuracy.Score baseline = scores.get(0);
            report.add("");
            report.add("## One advertisement every " + every.toSeconds() + " s per phone");
            report.add("");
            report.add("| placer | accuracy | flaps/visit | flaps ÷ baseline | stays/visit (true %.1f) | entry p50 / p90 s | exit p50 / p90 s | missed stays |"
                    .formatted(baseline.trueChangesPerVisit()));
            report.add("|---|---:|---:|---:|---:|---:|---:|---:|");
            for (PresenceAccuracy.Score s : scores) {
                report.add(String.format(Locale.ROOT, "| %s | %.1f%% | %.2f | %.3f | %.1f | %.0f / %.0f | %.0f / %.0f | %.1f%% |", s.placer(),
                        100 * s.accuracy(), s.flapsPerVisit(), s.flapsPerVisit() / baseline.flapsPerVisit(), s.changesPerVisit(),
                        s.entryP50(), s.entryP90(), s.exitP50(), s.exitP90(), 100 * s.missedEntries()));
            }
            PresenceAccuracy.Score chosen = scores.get(1);
            if (every.toSeconds() == 1) {
                boolean ok = chosen.accuracy() >= 0.9 && chosen.flapsPerVisit() <= 0.2 && chosen.flapsPerVisit() <= baseline.flapsPerVisit() / 2;
                met &= ok;
                report.add("");
                report.add("Targets (default scenario, median tracker): accuracy >= 90%, flaps <= 0.2 per visit, <= half the baseline's: "
                        + (ok ? "met" : "NOT met"));
            }
        }
        reports.write("presence", report);
        return met ? 0 : 1;
    }
}
