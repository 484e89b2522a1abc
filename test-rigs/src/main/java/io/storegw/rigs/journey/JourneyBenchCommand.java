package io.storegw.rigs.journey;

import io.storegw.drivers.virtual.PresenceScenario;
import io.storegw.gateway.testing.MosquittoBroker;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.rigs.bench.Reports;
import io.storegw.rigs.presence.ScenarioOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code storegw bench-journey}: attribution and pickup-arrival figures against the virtual store's ground truth. */
@Command(name = "bench-journey", mixinStandardHelpOptions = true,
        description = {"Measure purchases tied to visits and click & collect arrivals against the ground truth.",
                "",
                "Walks members through the virtual store (the presence benchmark's radio model); 60%% pay with their"
                + " loyalty card, 25%% without, 20%% come with an order ready. Runs it through the gateway's own"
                + " handlers and scores: attribution precision and recall, purchases without a card tied to anyone"
                + " (must be none), and seconds from a member truly walking in to the store's alert. The baseline in"
                + " the same run raises arrivals only once the zone tracker has placed the member (journey.pickupNear"
                + " 0); the last variant adds a receiver above the door. Then times alerts end to end through a"
                + " running gateway and a local Mosquitto against a bare Paho publish. Needs mosquitto. Writes a dated"
                + " report to --results."})
public final class JourneyBenchCommand implements Callable<Integer> {

    @Mixin
    ScenarioOptions walk;

    @Option(names = "--alerts", paramLabel = "N", defaultValue = "200", description = "Alerts timed end to end (default: ${DEFAULT-VALUE}).")
    int alerts;

    @Mixin
    Reports reports;

    @Override
    public Integer call() throws Exception {
        List<String> report = new ArrayList<>();
        report.add("# storegw journey benchmark, " + LocalDateTime.now().toLocalDate());
        report.add("");
        report.add("Scenario: the presence benchmark's virtual store and radio model, " + walk.describe() + "; 60% pay with their card");
        report.add("at the end of the checkout stay, 25% without it, 15% buy nothing; 20% come with a click & collect order ready.");
        report.add("Pickup zones: the defaults (pickup, entrance; this floor has no pickup desk, so the entrance). Alert latency: from the");
        report.add("first second the member is truly in the entrance zone to the alert, in seconds of scenario time (the alert itself is");
        report.add("raised in the same core-loop step that decides it).");
        boolean met = true;
        for (Duration every : List.of(Duration.ofSeconds(1), Duration.ofSeconds(10))) {
            PresenceScenario.Settings scenario = walk.scenario(every);
            JourneyAccuracy.Score baseline = JourneyAccuracy.run("tracker placement only (pickupNear 0 dB, baseline)", scenario,
                    JourneyAccuracy.config(0, false));
            JourneyAccuracy.Score chosen = JourneyAccuracy.run("default (pickupNear 10 dB)", scenario, JourneyAccuracy.config(10, false));
            JourneyAccuracy.Score wide = JourneyAccuracy.run("pickupNear 15 dB", scenario, JourneyAccuracy.config(15, false));
            JourneyAccuracy.Score door = JourneyAccuracy.run("default, and a receiver above the door", scenario.withDoorReceiver(),
                    JourneyAccuracy.config(10, true));
            report.add("");
            report.add("## One advertisement every " + every.toSeconds() + " s per phone");
            report.add("");
            report.add("| variant | card sales | attributed | precision | recall | without card, attributed | entry error p50 s | orders | alert p50 / p90 / p99 s | p99 ÷ baseline | missed |");
            report.add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (JourneyAccuracy.Score s : List.of(baseline, chosen, wide, door)) {
                report.add(String.format(Locale.ROOT, "| %s | %d | %d | %.3f | %.3f | %d | %.0f | %d | %.0f / %.0f / %.0f | %.2f | %d |", s.variant(),
                        s.cardSales(), s.attributed(), s.precision(), s.recall(), s.guessed(), s.entryErrorP50(), s.orders(),
                        s.alertP50(), s.alertP90(), s.alertP99(), s.alertP99() / baseline.alertP99(), s.missedAlerts()));
            }
            if (every.toSeconds() == 1) {
                boolean ok = chosen.precision() == 1.0 && chosen.recall() >= 0.95 && chosen.guessed() == 0 && chosen.missedAlerts() == 0;
                met &= ok;
                report.add("");
                report.add("Targets (1 s adverts, defaults): precision 1, recall >= 0.95, no purchase without a card attributed, no arrival missed: "
                        + (ok ? "met" : "NOT met") + ". Alert p99 < 2 s after truly entering: "
                        + (chosen.alertP99() < 2 ? "met" : "not met") + " with the zone receivers alone, "
                        + (door.alertP99() < 2 ? "met" : "NOT met") + " with a receiver above the door.");
            }
        }
        report.add("");
        report.add("## From the gateway's decision to the staff display, wall clock");
        report.add("");
        report.add("A running gateway (in this JVM; its uplink to central down), a local Mosquitto as the store's broker, a staff display");
        report.add("subscribed to journey.alertTopic. Each sample: one advertisement at the pickup desk's receiver from a member with a");
        report.add("ready order, timed from handing it to the core loop to the display hearing the alert. Baseline in the same run: a bare");
        report.add("Paho QoS 1 publish of an alert of the same size to the same broker and display.");
        Path work = Files.createTempDirectory("storegw-bench-journey");
        try (TestBroker store = new MosquittoBroker(TestBroker.freePort(), work.resolve("mosquitto"))) {
            store.start();
            AlertLatency.Result r = AlertLatency.measure(store, work, alerts);
            report.add("");
            report.add("| path | samples | p50 ms | p99 ms | p99 ÷ bare Paho |");
            report.add("|---|---:|---:|---:|---:|");
            report.add(String.format(Locale.ROOT, "| bare Paho publish (baseline) | %d | %.2f | %.2f | 1.00 |", r.samples(), r.pahoP50(), r.pahoP99()));
            report.add(String.format(Locale.ROOT, "| storegw: advertisement -> core loop -> alert -> display | %d | %.2f | %.2f | %.2f |", r.samples(),
                    r.gatewayP50(), r.gatewayP99(), r.gatewayP99() / r.pahoP99()));
            boolean fast = r.gatewayP99() < 2_000;
            met &= fast;
            report.add("");
            report.add("Target: alert p99 < 2 s after the gateway places the member in the pickup zone: " + (fast ? "met" : "NOT met") + ".");
        }
        reports.write("journey", report);
        return met ? 0 : 1;
    }
}
