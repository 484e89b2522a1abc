package io.storegw.rigs.bench;

import io.storegw.drivers.virtual.VirtualStoreModel;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.ConfigLoader;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.core.Pipeline;
import io.storegw.gateway.core.SavedState;
import io.storegw.gateway.event.Event;
import io.storegw.gateway.event.EventIds;
import io.storegw.gateway.event.GatewayIdentity;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.outbox.Outbox;
import io.storegw.gateway.privacy.KeyedHash;
import io.storegw.gateway.testing.AdminClient;
import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.gateway.testing.MosquittoBroker;
import io.storegw.gateway.testing.MutableClock;
import io.storegw.gateway.testing.TestBroker;
import java.io.BufferedReader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code storegw bench}: storegw's forwarding measured against raw Paho on the same Mosquitto, in one run.
 *
 * <p>Phases: (1) baseline, raw Paho v5 QoS 1 publishing the gateway's own event payloads with the same
 * in-flight window; (1b) the same in a child JVM with the appliance's options, reported beside, not divided by;
 * (2) live, the gateway in a child JVM at {@code -Xmx64m} on the virtual store at full
 * speed (or {@code --live-rate}); (3) backlog, an outbox of N events built while no broker is there, drained by
 * a child gateway; (4) the baseline again, whose mean with (1) is what the ratios divide by. (1) and (1b) follow an
 * unmeasured run of the same, so that the baseline is not measured while its JVM is still compiling it.
 * One subscriber counts everything and checks that no sequence number is missing.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure forwarding against raw Paho on a local Mosquitto.",
                "",
                "Needs mosquitto on the PATH. Runs a raw Paho baseline, raw Paho in a JVM with the appliance's"
                + " options, the live gateway, a backlog drain and the baseline again in one run, and writes a dated"
                + " report to --results."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--baseline-events", paramLabel = "N", defaultValue = "100000", description = "Events raw Paho publishes (default: ${DEFAULT-VALUE}).")
    int baselineEvents;

    @Option(names = "--live-seconds", paramLabel = "SECONDS", defaultValue = "30", description = "Measured seconds of live forwarding, after 5 s warm-up (default: ${DEFAULT-VALUE}).")
    int liveSeconds;

    @Option(names = "--live-rate", defaultValue = "0", paramLabel = "OBSERVATIONS_PER_S",
            description = "The virtual store's rate in the live phase; 0 is full speed, the benchmark's measure (default: ${DEFAULT-VALUE}). "
                    + "A fixed rate shows what the gateway forwards when its source does not take the CPU it would need.")
    int liveRate;

    @Option(names = "--backlog", paramLabel = "N", defaultValue = "1000000", description = "Events in the backlog to drain (default: ${DEFAULT-VALUE}).")
    int backlog;

    @Mixin
    Reports reports;

    @Option(names = "--commit-interval", paramLabel = "DURATION",
            description = "The gateway's outbox.commitInterval, e.g. 0ms (default: the gateway's own).")
    String commitInterval;

    @Option(names = "--gateway-java-option", paramLabel = "OPTION",
            description = "A JVM option added after the appliance's for the gateway's child JVMs, e.g. a profiler; repeatable.")
    List<String> gatewayJavaOptions = new ArrayList<>();

    private CpuMeter cpu;

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("storegw-bench");
        List<String> report = new ArrayList<>();
        try (MosquittoBroker broker = new MosquittoBroker(TestBroker.freePort(), work.resolve("mosquitto"))) {
            broker.start();
            cpu = new CpuMeter(broker.process());
            List<Event> samples = sampleEvents(20_000);
            try (Receiver rx = new Receiver(broker.uri(), "storegw/v1/#")) {
                // Unmeasured: the first run of the evening's full benchmark gave 7,565 events/s cold and 11,300
                // warm (after the drain), so a cold baseline had flattered every ratio.
                say("warm-up: raw Paho publishing " + baselineEvents + " events, not measured ...");
                baseline(broker.uri(), rx, samples);
                say("baseline: raw Paho publishing " + baselineEvents + " events ...");
                Phase before = baseline(broker.uri(), rx, samples);
                say("baseline in the appliance's JVM: raw Paho in a child JVM with the gateway's options, " + baselineEvents + " events twice ...");
                Phase applianceJvm = applianceJvmBaseline(broker.uri(), rx, work);
                say("live: the gateway on the virtual store at " + liveSpeed() + " for " + liveSeconds + " s ...");
                Phase live = live(broker.uri(), rx, work);
                say("backlog: building and draining " + backlog + " events ...");
                Phase drain = backlog(broker.uri(), rx, work, samples);
                // Raw Paho's rate moved between 5,400 and 8,700 events/s from one run to the next on this shared
                // machine (cold, then); measured on both sides of the gateway's phases, it is less of a lottery.
                say("baseline again: raw Paho publishing " + baselineEvents + " events ...");
                Phase after = baseline(broker.uri(), rx, samples);
                report.addAll(render(before, after, applianceJvm, live, drain));
            }
        } finally {
            deleteTree(work);
        }
        reports.write("forwarding", report);
        return 0;
    }

    /** Figures of one phase; {@code cpu} is null for the mean of two. */
    record Phase(double eventsPerSecond, long p50Ms, long p99Ms, long missing, Map<String, String> extra, CpuMeter.Use cpu) {

        /** Two runs of the baseline as one: the mean rate, the worse latencies, both rates in the notes. */
        static Phase mean(Phase a, Phase b) {
            Map<String, String> extra = new java.util.HashMap<>(a.extra());
            extra.put("runs (events/s)", String.format("%.0f before the gateway, %.0f after", a.eventsPerSecond(), b.eventsPerSecond()));
            return new Phase((a.eventsPerSecond() + b.eventsPerSecond()) / 2, Math.max(a.p50Ms(), b.p50Ms()),
                    Math.max(a.p99Ms(), b.p99Ms()), a.missing() + b.missing(), extra, null);
        }
    }

    private Phase baseline(String uri, Receiver rx, List<Event> samples) throws Exception {
        try (RawPaho paho = new RawPaho(uri, "bench-raw-paho")) {
            rx.reset();
            rx.startSampling(baselineEvents);
            CpuMeter.Mark mark = cpu.mark(null);
            long started = System.nanoTime();
            paho.publish(samples, baselineEvents);
            awaitCount(rx, baselineEvents, Duration.ofMinutes(10));
            double seconds = (System.nanoTime() - started) / 1e9;
            CpuMeter.Use use = cpu.since(mark, baselineEvents);
            return new Phase(baselineEvents / seconds, rx.percentile(50), rx.percentile(99), rx.missing(baselineEvents),
                    Map.of("window", Integer.toString(paho.window())), use);
        }
    }

    /**
     * Raw Paho in a child JVM with the appliance's options (C1 only, a 64 MB heap), as the gateway runs, warmed up by
     * a first unmeasured run in the same JVM: how much of the gap to the baseline is the JVM's settings, not storegw's work.
     */
    private Phase applianceJvmBaseline(String uri, Receiver rx, Path work) throws Exception {
        Path log = work.resolve("raw-paho.log");
        rx.reset();
        Process paho = new ProcessBuilder(GatewayProcess.applianceJava(List.of(), RawPaho.class, uri, Integer.toString(baselineEvents)))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try (BufferedReader out = paho.inputReader(); Writer in = paho.outputWriter()) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.equals(RawPaho.READY));
            if (line == null) {
                throw new IllegalStateException("raw Paho's JVM ended before its warm-up did:\n" + GatewayProcess.tail(log));
            }
            awaitCount(rx, baselineEvents, Duration.ofMinutes(10));
            rx.reset();
            rx.startSampling(baselineEvents);
            CpuMeter.Mark mark = cpu.mark(paho.toHandle());
            long started = System.nanoTime();
            in.write("go\n");
            in.flush();
            awaitCount(rx, baselineEvents, Duration.ofMinutes(10));
            double seconds = (System.nanoTime() - started) / 1e9;
            CpuMeter.Use use = cpu.since(mark, baselineEvents);
            long peakRssKb = peakRssKb(paho.pid());
            return new Phase(baselineEvents / seconds, rx.percentile(50), rx.percentile(99), rx.missing(baselineEvents),
                    Map.of("peak RSS (MB)", String.format("%.1f", peakRssKb / 1024.0)), use);
        } finally {
            paho.destroy();
            paho.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Phase live(String uri, Receiver rx, Path work) throws Exception {
        Path state = work.resolve("live");
        int adminPort = TestBroker.freePort();
        Path config = writeConfig(state, uri, "live", adminPort, true);
        AdminClient admin = new AdminClient(adminPort);
        rx.reset();
        Process gateway = GatewayProcess.start(config, work.resolve("live.log"), Map.of(), gatewayJavaOptions);
        long peakRssKb;
        double produced;
        double seconds;
        long received;
        CpuMeter.Use use;
        try {
            awaitMetric(admin, "storegw_uplink_published_total", 1, Duration.ofSeconds(60));
            Thread.sleep(5_000); // warm-up: JIT, caches
            long c0 = rx.count();
            long p0 = (long) admin.metric("storegw_outbox_committed_sequence").orElse(0);
            rx.startSampling(2_000_000);
            long t0 = System.nanoTime();
            CpuMeter.Mark mark = cpu.mark(gateway.toHandle());
            Thread.sleep(liveSeconds * 1000L);
            received = rx.count() - c0;
            // CPU per event is the steadier figure on a shared machine: it does not move with what the neighbours take
            use = cpu.since(mark, received);
            seconds = (System.nanoTime() - t0) / 1e9;
            produced = (admin.metric("storegw_outbox_committed_sequence").orElse(0) - p0) / seconds;
            rx.stopSampling();
            peakRssKb = peakRssKb(gateway.pid());
        } finally {
            gateway.destroy();
            gateway.waitFor(30, TimeUnit.SECONDS);
        }
        // What was still queued at the stop is sent by a second run without a source: nothing may be missing.
        long committed = drainRest(uri, rx, work, state);
        return new Phase(received / seconds, rx.percentile(50), rx.percentile(99), rx.missing(committed), Map.of(
                "committed events/s", String.format("%.0f", produced),
                "peak RSS (MB)", String.format("%.1f", peakRssKb / 1024.0),
                "gateway CPU ms per 1,000 events", String.format("%.0f", use.gatewayMs()),
                "events checked", Long.toString(committed)), use);
    }

    private long drainRest(String uri, Receiver rx, Path work, Path state) throws Exception {
        int adminPort = TestBroker.freePort();
        Path config = writeConfig(state, uri, "live", adminPort, false);
        Process gateway = GatewayProcess.start(config, work.resolve("live-drain.log"), Map.of(), gatewayJavaOptions);
        try {
            AdminClient admin = new AdminClient(adminPort);
            awaitMetric(admin, "storegw_outbox_committed_sequence", 1, Duration.ofSeconds(60));
            long committed = (long) admin.metric("storegw_outbox_committed_sequence").orElseThrow();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (rx.missing(committed) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            return committed;
        } finally {
            gateway.destroy();
            gateway.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Phase backlog(String uri, Receiver rx, Path work, List<Event> samples) throws Exception {
        Path state = work.resolve("backlog");
        Files.createDirectories(state);
        long buildStarted = System.nanoTime();
        fillOutbox(state, new GatewayIdentity("bench", "s1", "backlog"), backlog, samples);
        double buildSeconds = (System.nanoTime() - buildStarted) / 1e9;
        long fileFull = Files.size(state.resolve("outbox.mv"));

        int adminPort = TestBroker.freePort();
        Path config = writeConfig(state, uri, "backlog", adminPort, false);
        rx.reset();
        long started = System.nanoTime();
        Process gateway = GatewayProcess.start(config, work.resolve("backlog.log"), Map.of(), gatewayJavaOptions);
        CpuMeter.Mark mark = cpu.mark(gateway.toHandle());
        long peakRssKb;
        double seconds;
        long fileAfter;
        CpuMeter.Use use;
        try {
            awaitCount(rx, backlog, Duration.ofMinutes(30));
            seconds = (System.nanoTime() - started) / 1e9;
            use = cpu.since(mark, backlog);
            AdminClient admin = new AdminClient(adminPort);
            if (fileFull > Outbox.COMPACT_ABOVE_BYTES) {
                // A smaller file is not rewritten: waiting for that would wait for ever (it did, for --backlog 20000).
                awaitMetric(admin, "storegw_outbox_compactions_total", 1, Duration.ofMinutes(2));
            }
            fileAfter = (long) admin.metric("storegw_outbox_file_bytes").orElse(-1);
            peakRssKb = peakRssKb(gateway.pid());
        } finally {
            gateway.destroy();
            gateway.waitFor(30, TimeUnit.SECONDS);
        }
        return new Phase(backlog / seconds, -1, -1, rx.missing(backlog), Map.of(
                "build events/s", String.format("%.0f", backlog / buildSeconds),
                "file with backlog (MB)", String.format("%.0f", fileFull / 1048576.0),
                "bytes per queued event", String.format("%.0f", (double) fileFull / backlog),
                "file after drain (MB)", String.format("%.1f", fileAfter / 1048576.0),
                "peak RSS (MB)", String.format("%.1f", peakRssKb / 1024.0)), use);
    }

    /** Appends {@code events} copies of {@code samples} to the outbox in {@code state}, as a backlog built while the broker was away. */
    static void fillOutbox(Path state, GatewayIdentity id, int events, List<Event> samples) throws Exception {
        EventIds ids = new EventIds(Clock.systemUTC());
        try (Outbox outbox = Outbox.open(new Outbox.Settings(state.resolve("outbox"), 8L << 30, Duration.ZERO, Map.of(), Duration.ofDays(7)),
                id, ids, Clock.systemUTC(), new Metrics())) {
            CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
            for (int i = 0; i < events; i += 1000) {
                List<Event> batch = new ArrayList<>(1000);
                for (int j = i; j < Math.min(events, i + 1000); j++) {
                    Event e = samples.get(j % samples.size());
                    batch.add(new Event(ids.next(), e.type(), Instant.now(), e.subject(), e.dataClass(), e.data()));
                }
                last = outbox.append(batch);
                if (i % 16_000 == 15_000) {
                    // The commit queue is bounded in appends, and these appends hold a thousand encoded events each.
                    last.get(30, TimeUnit.MINUTES);
                }
            }
            last.get(30, TimeUnit.MINUTES);
        }
    }

    /** Events as the gateway makes them from the virtual store, to publish in the baseline and fill the backlog. */
    static List<Event> sampleEvents(int n) throws Exception {
        GatewayConfig config = ConfigLoader.parse("bench", """
                tenant: bench
                store: s1
                gateway: sample
                uplink:
                  broker: tcp://127.0.0.1:1
                core:
                  bucket: 1s
                  kAnonymity: 1
                """, null);
        var clock = new MutableClock(Instant.parse("2026-11-23T09:00:00Z"));
        Pipeline pipeline = new Pipeline(Gateway.handlers(config, new KeyedHash(new byte[32]), () -> null, SavedState.NONE),
                new EventIds(clock), clock);
        VirtualStoreModel store = new VirtualStoreModel(42, clock);
        List<Event> events = new ArrayList<>(n);
        while (events.size() < n) {
            clock.advance(Duration.ofMillis(20)); // buckets close among the observations
            events.addAll(pipeline.process(store.next()).events());
        }
        return events.subList(0, n);
    }

    private String liveSpeed() {
        return liveRate == 0 ? "full speed" : liveRate + " observations/s";
    }

    private Path writeConfig(Path state, String uri, String gateway, int adminPort, boolean virtual) throws Exception {
        Files.createDirectories(state);
        return Files.writeString(state.resolve("storegw.yaml"), """
                tenant: bench
                store: s1
                gateway: %s
                stateDir: %s
                uplink:
                  broker: %s
                  maxInflight: %d
                outbox:
                  budget: 8GB
                %s
                core:
                  bucket: 1s
                sources:
                  virtual:
                    enabled: %s
                    rate: %s
                admin:
                  http:
                    port: %d
                """.formatted(gateway, state.toAbsolutePath(), uri, RawPaho.WINDOW_CAP,
                commitInterval == null ? "" : "  commitInterval: " + commitInterval, virtual, liveRate, adminPort));
    }

    private List<String> render(Phase before, Phase after, Phase applianceJvm, Phase live, Phase drain) {
        Phase baseline = Phase.mean(before, after);
        List<String> out = new ArrayList<>();
        out.add("# storegw forwarding benchmark, " + LocalDate.now());
        out.add("");
        out.add("Machine: " + Runtime.getRuntime().availableProcessors() + " cores, Java " + Runtime.version()
                + ", Mosquitto on 127.0.0.1 (max_inflight_messages 20), one QoS 1 subscriber.");
        try {
            out.add("Gateway in a child JVM with the appliance's options: " + String.join(" ", GatewayProcess.applianceJvmOptions())
                    + (gatewayJavaOptions.isEmpty() ? "" : "; added: " + String.join(" ", gatewayJavaOptions))
                    + "; outbox.commitInterval " + (commitInterval == null ? "default (" + GatewayConfig.Outbox.DEFAULT_COMMIT_INTERVAL.toMillis() + "ms)" : commitInterval) + ".");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        out.add("Baseline: raw Paho v5, QoS 1, the gateway's own event payloads and MQTT 5 properties, window "
                + baseline.extra().get("window") + " (min of 64 and the broker's Receive Maximum), TCP_NODELAY.");
        out.add("");
        out.add("| phase | events/s | ratio to raw Paho | p50 ms | p99 ms | missing | notes |");
        out.add("|---|---:|---:|---:|---:|---:|---|");
        out.add(row("raw Paho (baseline, mean of two runs)", baseline, baseline, baseline.extra().get("runs (events/s)")));
        out.add(row("storegw live (virtual store at " + liveSpeed() + ")", live, baseline, notes(live)));
        out.add(row("storegw backlog drain (" + backlog + " events)", drain, baseline, notes(drain)));
        out.add("");
        out.add("Targets: live >= 0.80, drain >= 0.70 of raw Paho; RSS <= 128 MB; no loss.");
        out.add("");
        out.add("Not the issue's baseline, for what the JVM's settings cost: raw Paho run the same way in a child JVM with the"
                + " appliance's options (C1 only, 64 MB heap), between the first baseline and the live phase:");
        out.add("");
        out.add("| phase | events/s | ratio to raw Paho | ratio to it in the appliance's JVM | p50 ms | p99 ms | missing | notes |");
        out.add("|---|---:|---:|---:|---:|---:|---:|---|");
        out.add(String.format("| raw Paho in the appliance's JVM | %.0f | %.2f | 1.00 | %d | %d | %d | %s |", applianceJvm.eventsPerSecond(),
                applianceJvm.eventsPerSecond() / baseline.eventsPerSecond(), applianceJvm.p50Ms(), applianceJvm.p99Ms(),
                applianceJvm.missing(), notes(applianceJvm)));
        out.add(String.format("| storegw live | %.0f | %.2f | %.2f | | | | |", live.eventsPerSecond(),
                live.eventsPerSecond() / baseline.eventsPerSecond(), live.eventsPerSecond() / applianceJvm.eventsPerSecond()));
        out.add(String.format("| storegw backlog drain | %.0f | %.2f | %.2f | | | | |", drain.eventsPerSecond(),
                drain.eventsPerSecond() / baseline.eventsPerSecond(), drain.eventsPerSecond() / applianceJvm.eventsPerSecond()));
        out.add("");
        out.add("Where the CPU went, in ms per 1,000 events (bench JVM: raw Paho publishing and the subscriber, or the subscriber alone),"
                + " and how many of the machine's " + Runtime.getRuntime().availableProcessors() + " cores were busy (any process) or stolen:");
        out.add("");
        out.add("| phase | events/s | gateway | Mosquitto | bench JVM | all | cores busy | cores stolen |");
        out.add("|---|---:|---:|---:|---:|---:|---:|---:|");
        out.add(cpuRow("raw Paho, before", before));
        out.add(cpuRow("raw Paho in the appliance's JVM (in the gateway's column)", applianceJvm));
        out.add(cpuRow("storegw live", live));
        out.add(cpuRow("storegw backlog drain", drain));
        out.add(cpuRow("raw Paho, after", after));
        return out;
    }

    private static String cpuRow(String name, Phase p) {
        CpuMeter.Use u = p.cpu();
        return String.format("| %s | %.0f | %s | %.0f | %.0f | %.0f | %.2f | %.2f |", name, p.eventsPerSecond(),
                u.gatewayMs() < 0 ? "-" : String.format("%.0f", u.gatewayMs()), u.brokerMs(), u.benchMs(), u.allMs(),
                u.busyCores(), u.stealCores());
    }

    private static String row(String name, Phase p, Phase baseline, String notes) {
        return String.format("| %s | %.0f | %.2f | %s | %s | %d | %s |", name, p.eventsPerSecond(),
                p.eventsPerSecond() / baseline.eventsPerSecond(), p.p50Ms() < 0 ? "-" : p.p50Ms(), p.p99Ms() < 0 ? "-" : p.p99Ms(),
                p.missing(), notes);
    }

    private static String notes(Phase p) {
        return String.join("; ", new java.util.TreeMap<>(p.extra()).entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
    }

    /** The peak resident set of a process (VmHWM), in KiB. */
    static long peakRssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    private static void awaitCount(Receiver rx, long n, Duration timeout) throws InterruptedException {
        await(rx::count, n, timeout, "events received");
    }

    private static void awaitMetric(AdminClient admin, String series, double atLeast, Duration timeout) throws InterruptedException {
        await(() -> (long) admin.metric(series).orElse(-1), (long) atLeast, timeout, series);
    }

    private static void await(LongSupplier value, long atLeast, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (value.getAsLong() < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what + " >= " + atLeast + " (at " + value.getAsLong() + ")");
            }
            Thread.sleep(20);
        }
    }

    private static void say(String text) {
        System.out.println("bench: " + text);
    }

    static void deleteTree(Path root) throws Exception {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
