package io.storegw.rigs.ble;

import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.rigs.bench.Reports;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code storegw bench-ble}: JMH run of {@link BleBenchmark} in a forked JVM with the appliance's options. */
@Command(name = "bench-ble", mixinStandardHelpOptions = true,
        description = {"Measure BLE decode and resolve throughput on one core (JMH).",
                "",
                "Forks one JVM with the appliance's JVM options, runs each benchmark single-threaded, and writes a"
                + " dated report to --results."})
public final class BleBenchCommand implements Callable<Integer> {

    @Option(names = "--members", paramLabel = "N", defaultValue = "10000", description = "Registered members (default: ${DEFAULT-VALUE}).")
    int members;

    @Option(names = "--seconds", paramLabel = "SECONDS", defaultValue = "5", description = "Seconds per iteration: 3 warm-ups, then 5 measured (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Mixin
    Reports reports;

    @Override
    public Integer call() throws Exception {
        List<String> jvm = new ArrayList<>(GatewayProcess.applianceJvmOptions());
        Options options = new OptionsBuilder()
                .include(BleBenchmark.class.getName())
                .param("members", Integer.toString(members))
                .forks(1).threads(1)
                .warmupIterations(3).warmupTime(TimeValue.seconds(seconds))
                .measurementIterations(5).measurementTime(TimeValue.seconds(seconds))
                .jvmArgs(jvm.toArray(String[]::new))
                .build();
        Collection<RunResult> runs = new Runner(options).run();
        Map<String, double[]> scores = new HashMap<>();
        for (RunResult r : runs) {
            String name = r.getParams().getBenchmark();
            scores.put(name.substring(name.lastIndexOf('.') + 1),
                    new double[] {r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()});
        }
        double baseline = scores.get("baselineCopy")[0];
        List<String> report = new ArrayList<>();
        report.add("# storegw BLE decode and resolve benchmark, " + LocalDateTime.now().toLocalDate());
        report.add("");
        report.add("Machine: %d cores, Java %s. JMH, one fork with the appliance's JVM options (%s), one thread."
                .formatted(Runtime.getRuntime().availableProcessors(), Runtime.version(), String.join(" ", jvm)));
        report.add("Workload: %d registered members (half Eddystone-EID with K=10, half app-beacon), a pool of %d advertisements: "
                .formatted(members, BleBenchmark.POOL)
                + "3/8 members' EIDs, 2/8 members' app-beacons, 1/8 fixed iBeacons, 1/8 strangers' EIDs, 1/8 Eddystone-UID; random resolvable addresses.");
        report.add("Baseline: copying each advertisement's bytes (the least any decoder does with them).");
        report.add("");
        report.add("| benchmark | advertisements/s | ± (99.9% CI) | ratio to baseline | target |");
        report.add("|---|---:|---:|---:|---|");
        for (String[] row : new String[][] {{"baselineCopy", "-"}, {"decode", ">= 1,000,000/s"}, {"decodeAndResolve", ">= 200,000/s"}}) {
            double[] s = scores.get(row[0]);
            report.add(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.3f | %s |", row[0], s[0], s[1], s[0] / baseline, row[1]));
        }
        reports.write("ble", report);
        return 0;
    }
}
