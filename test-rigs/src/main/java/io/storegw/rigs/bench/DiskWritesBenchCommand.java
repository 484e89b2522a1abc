package io.storegw.rigs.bench;

import io.storegw.gateway.event.GatewayIdentity;
import io.storegw.gateway.testing.AdminClient;
import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.gateway.testing.MosquittoBroker;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.uplink.MqttCallbackAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What the gateway writes to its storage at a store's pace, against the bytes of the events it forwards: the wear
 * of the SD card an appliance runs from.
 */
@Command(name = "disk-bench", mixinStandardHelpOptions = true,
        description = {"Measure what the gateway writes to disk per event at a store's pace (SD card wear).",
                "",
                "Needs mosquitto on the PATH. Starts a child gateway with the appliance's JVM options on the virtual"
                + " store, forwarding to a local Mosquitto. After a warm-up it counts the bytes the gateway's process"
                + " wrote (/proc/PID/io), the bytes written to the state folder's block device (machine-wide, with the"
                + " file system's journal) and the outbox's commits, against the bytes of the events central received."
                + " Writes a dated report."})
public final class DiskWritesBenchCommand implements Callable<Integer> {

    @Option(names = "--rate", paramLabel = "N", defaultValue = "25", description = "The virtual store's observations per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seconds", paramLabel = "SECONDS", defaultValue = "180", description = "How long to count, after the warm-up (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "30", description = "Seconds before counting (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--gateway-java-option", paramLabel = "OPTION",
            description = "A JVM option for the gateway after the appliance's; repeatable (a flag under trial).")
    List<String> gatewayJavaOptions = new ArrayList<>();

    @Mixin
    Reports reports;

    private static final GatewayIdentity ID = new GatewayIdentity("bench", "s1", "disk");

    /** The counters read at the start and at the end of the count. */
    record Sample(long processBytes, long deviceBytes, long commits, long events, long centralEvents, long centralBytes, long nanos) {
    }

    private final AtomicLong centralEvents = new AtomicLong();
    private final AtomicLong centralBytes = new AtomicLong();

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("storegw-disk");
        try (MosquittoBroker broker = new MosquittoBroker(TestBroker.freePort(), work.resolve("mosquitto"))) {
            broker.start();
            MqttAsyncClient central = central(broker.uri());
            int adminPort = TestBroker.freePort();
            Path state = work.resolve("gw");
            Path config = writeConfig(state, broker.uri(), adminPort);
            Process gateway = GatewayProcess.start(config, work.resolve("gateway.log"), Map.of(), gatewayJavaOptions);
            try {
                AdminClient admin = new AdminClient(adminPort);
                say("warming up for " + warmup + " s ...");
                TimeUnit.SECONDS.sleep(warmup);
                Sample start = sample(gateway, state, admin);
                say("counting for " + seconds + " s ...");
                TimeUnit.SECONDS.sleep(seconds);
                Sample end = sample(gateway, state, admin);
                if (!gateway.isAlive()) {
                    throw new IllegalStateException("the gateway exited; log in " + work.resolve("gateway.log"));
                }
                reports.write("disk-writes", render(start, end));
            } finally {
                gateway.destroy();
                gateway.waitFor(30, TimeUnit.SECONDS);
                gateway.destroyForcibly();
                central.disconnect().waitForCompletion(5_000);
                central.close();
            }
        } finally {
            BenchCommand.deleteTree(work);
        }
        return 0;
    }

    private MqttAsyncClient central(String uri) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(uri, "disk-central", new MemoryPersistence());
        c.setCallback(new MqttCallbackAdapter() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                centralEvents.incrementAndGet();
                centralBytes.addAndGet(message.getPayload().length);
            }
        });
        c.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
        c.subscribe(ID.topicPrefix() + "/evt/#", 1).waitForCompletion(10_000);
        return c;
    }

    private Sample sample(Process gateway, Path state, AdminClient admin) throws IOException {
        return new Sample(processWriteBytes(gateway.pid()), deviceWriteBytes(state), metric(admin, "storegw_outbox_commits_total"),
                metric(admin, "storegw_outbox_appended_total"), centralEvents.get(), centralBytes.get(), System.nanoTime());
    }

    /** What the process caused to be written to storage, page cache write-back included. */
    private static long processWriteBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "io"))) {
            if (line.startsWith("write_bytes:")) {
                return Long.parseLong(line.substring("write_bytes:".length()).trim());
            }
        }
        throw new IOException("no write_bytes in /proc/" + pid + "/io");
    }

    /** Bytes written to the block device holding {@code dir}, by anyone (-1 when the device cannot be told). */
    private static long deviceWriteBytes(Path dir) {
        try {
            long dev = ((Number) Files.getAttribute(dir, "unix:dev")).longValue();
            long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
            long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
            String[] fields = Files.readString(Path.of("/sys/dev/block", major + ":" + minor, "stat")).trim().split("\\s+");
            return Long.parseLong(fields[6]) * 512; // sectors written, always of 512 bytes in this file
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long metric(AdminClient admin, String series) {
        return (long) admin.metric(series).orElseThrow(() -> new IllegalStateException("no " + series + " on the gateway's /metrics"));
    }

    private Path writeConfig(Path state, String uri, int adminPort) throws IOException {
        Files.createDirectories(state);
        return Files.writeString(state.resolve("storegw.yaml"), """
                tenant: %s
                store: %s
                gateway: %s
                stateDir: %s
                uplink:
                  broker: %s
                sources:
                  virtual:
                    rate: %d
                admin:
                  http:
                    port: %d
                """.formatted(ID.tenant(), ID.store(), ID.gateway(), state.toAbsolutePath(), uri, rate, adminPort));
    }

    private List<String> render(Sample a, Sample b) throws IOException {
        double secs = (b.nanos() - a.nanos()) / 1e9;
        long events = b.events() - a.events();
        long received = b.centralEvents() - a.centralEvents();
        long eventBytes = b.centralBytes() - a.centralBytes();
        long written = b.processBytes() - a.processBytes();
        long commits = b.commits() - a.commits();
        long device = a.deviceBytes() < 0 || b.deviceBytes() < 0 ? -1 : b.deviceBytes() - a.deviceBytes();
        double perDay = 86_400 / secs / (1 << 30);
        List<String> out = new ArrayList<>();
        out.add("# storegw disk writes at a store's pace, " + java.time.LocalDate.now());
        out.add("");
        out.add("Gateway in a child JVM with the appliance's options: " + String.join(" ", GatewayProcess.applianceJvmOptions())
                + (gatewayJavaOptions.isEmpty() ? "" : ", and " + String.join(" ", gatewayJavaOptions))
                + "; the virtual store at " + rate + " observations/s, forwarding to Mosquitto on 127.0.0.1; counted for "
                + String.format("%.0f", secs) + " s after " + warmup + " s of warm-up.");
        out.add("Baseline: the bytes of the events central received in the same time (their CloudEvents JSON).");
        out.add("");
        out.add("| measure | in the run | per event | per day at this pace |");
        out.add("|---|---:|---:|---:|");
        out.add(String.format("| events committed (received by central) | %d (%d) | - | %.0f |", events, received, events * 86_400 / secs));
        out.add(String.format("| bytes of the events (baseline) | %d | %.0f | %.2f GB |", eventBytes, per(eventBytes, received), eventBytes * perDay));
        out.add(String.format("| written by the gateway's process | %d | %.0f | %.2f GB |", written, per(written, events), written * perDay));
        out.add(device < 0 ? "| written to the state folder's device | cannot be told here | - | - |"
                : String.format("| written to the state folder's device (machine-wide, with the journal) | %d | %.0f | %.2f GB |", device,
                        per(device, events), device * perDay));
        out.add(String.format("| outbox commits (each one fsync) | %d | %.2f | %.0f |", commits, commits / (double) Math.max(1, events), commits * 86_400 / secs));
        out.add("");
        out.add(String.format("Write amplification (process bytes ÷ event bytes): %.1f", written / (double) Math.max(1, eventBytes))
                + (device < 0 ? "" : String.format("; device bytes ÷ event bytes: %.1f", device / (double) Math.max(1, eventBytes))) + ".");
        return out;
    }

    private static double per(long bytes, long events) {
        return bytes / (double) Math.max(1, events);
    }

    private static void say(String text) {
        System.err.println("disk-bench: " + text);
    }
}
