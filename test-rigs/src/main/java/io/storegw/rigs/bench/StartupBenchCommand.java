package io.storegw.rigs.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.storegw.gateway.event.GatewayIdentity;
import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.gateway.testing.MosquittoBroker;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.uplink.MqttCallbackAdapter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How fast the appliance's JVM gets the gateway going, against the same JVM running nothing: to {@code READY=1} (what
 * systemd waits for) and to the retained {@code online} state at central (connected), on an empty outbox, on one
 * holding a backlog, and on that backlog after a {@code kill -9}; and how long an orderly stop takes.
 */
@Command(name = "startup-bench", mixinStandardHelpOptions = true,
        description = {"Measure the gateway's startup and stop against a bare JVM with the same options.",
                "",
                "Needs mosquitto on the PATH. Each run starts a child gateway with the appliance's JVM options, as"
                + " systemd does (NOTIFY_SOCKET), and times READY=1 and the online state at a local Mosquitto; the"
                + " baseline is the same JVM, options and classpath running an empty main. Writes a dated report."})
public final class StartupBenchCommand implements Callable<Integer> {

    @Option(names = "--runs", paramLabel = "N", defaultValue = "5", description = "Runs of each case (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--backlog", paramLabel = "N", defaultValue = "100000", description = "Events in the outbox for the backlog cases (default: ${DEFAULT-VALUE}).")
    int backlog;

    @Option(names = "--gateway-java-option", paramLabel = "OPTION",
            description = "A JVM option for the gateway (and the bare JVM) after the appliance's; repeatable (a flag under trial).")
    List<String> gatewayJavaOptions = new ArrayList<>();

    @Mixin
    Reports reports;

    /** The baseline's main: the JVM up, the classpath opened, nothing run. */
    public static final class EmptyMain {
        public static void main(String[] args) {
            // Nothing: the JVM's own start and exit are the baseline.
        }
    }

    /** One start: milliseconds from launch to READY=1, to the online state, and of the orderly stop after. */
    record Start(double readyMs, double onlineMs, double stopMs) {
    }

    /** The gateway started, whose outbox the backlog fills and whose state central watches. */
    private static final GatewayIdentity ID = new GatewayIdentity("bench", "s1", "startup");

    private final LinkedBlockingQueue<Long> readyAt = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Long> onlineAt = new LinkedBlockingQueue<>();

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("storegw-startup");
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        Path socket = work.resolve("notify.sock");
        Channel systemd = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
                        if (packet.content().toString(StandardCharsets.UTF_8).startsWith("READY=1")) {
                            readyAt.add(System.nanoTime());
                        }
                    }
                }).bind(new DomainSocketAddress(socket.toString())).syncUninterruptibly().channel();
        List<String> report = new ArrayList<>();
        try (MosquittoBroker broker = new MosquittoBroker(TestBroker.freePort(), work.resolve("mosquitto"))) {
            broker.start();
            MqttAsyncClient central = central(broker.uri());
            Path config = writeConfig(work.resolve("gw"), broker.uri());
            Path backlogFile = work.resolve("backlog.mv");
            say("building a backlog of " + backlog + " events ...");
            buildBacklog(backlogFile);
            Path outbox = work.resolve("gw").resolve("outbox.mv");
            say("warm-up start, not measured ...");
            start(config, socket, work, null);
            List<Double> floor = new ArrayList<>();
            List<Start> empty = new ArrayList<>();
            List<Start> full = new ArrayList<>();
            List<Start> killed = new ArrayList<>();
            for (int i = 1; i <= runs; i++) {
                say("run " + i + " of " + runs + ": bare JVM, empty outbox, backlog, backlog after kill -9 ...");
                floor.add(emptyJvmMs());
                Files.deleteIfExists(outbox);
                empty.add(start(config, socket, work, null));
                Files.copy(backlogFile, outbox, StandardCopyOption.REPLACE_EXISTING);
                full.add(start(config, socket, work, null));
                Files.copy(backlogFile, outbox, StandardCopyOption.REPLACE_EXISTING);
                killed.add(start(config, socket, work, "kill"));
            }
            central.disconnect().waitForCompletion(5_000);
            central.close();
            report.addAll(render(floor, empty, full, killed, Files.size(backlogFile)));
        } finally {
            systemd.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            BenchCommand.deleteTree(work);
        }
        reports.write("startup", report);
        return 0;
    }

    private MqttAsyncClient central(String uri) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(uri, "startup-central", new MemoryPersistence());
        c.setCallback(new MqttCallbackAdapter() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                // A live state, not the retained one a subscription is given at once.
                if (!message.isRetained() && new String(message.getPayload(), StandardCharsets.UTF_8).contains("\"online\"")) {
                    onlineAt.add(System.nanoTime());
                }
            }
        });
        c.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
        IMqttToken sub = c.subscribe(ID.stateTopic(), 1);
        sub.waitForCompletion(10_000);
        return c;
    }

    /**
     * Starts a child gateway as systemd would and times it; then stops it with SIGTERM, or with {@code kill -9} just
     * after READY=1 and starts it again (the time given is then the second start's).
     */
    private Start start(Path config, Path socket, Path work, String kill) throws Exception {
        readyAt.clear();
        onlineAt.clear();
        long launched = System.nanoTime();
        Process gateway = GatewayProcess.start(config, work.resolve("gateway.log"), Map.of("NOTIFY_SOCKET", socket.toString()),
                gatewayJavaOptions);
        if (kill != null) {
            awaitNanos(readyAt, gateway, "READY=1");
            gateway.destroyForcibly();
            gateway.waitFor(30, TimeUnit.SECONDS);
            return start(config, socket, work, null);
        }
        try {
            double ready = (awaitNanos(readyAt, gateway, "READY=1") - launched) / 1e6;
            double online = (awaitNanos(onlineAt, gateway, "the online state") - launched) / 1e6;
            long stopping = System.nanoTime();
            gateway.destroy();
            if (!gateway.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the gateway did not stop within 60 s of SIGTERM; log in " + work.resolve("gateway.log"));
            }
            return new Start(ready, online, (System.nanoTime() - stopping) / 1e6);
        } finally {
            gateway.destroyForcibly();
        }
    }

    private static long awaitNanos(LinkedBlockingQueue<Long> at, Process gateway, String what) throws Exception {
        Long t = at.poll(120, TimeUnit.SECONDS);
        if (t == null) {
            throw new IllegalStateException("no " + what + " within 120 s (gateway " + (gateway.isAlive() ? "running" : "exited") + ")");
        }
        return t;
    }

    /** The same JVM, options and classpath as the gateway's, running {@link EmptyMain}: launch to exit. */
    private double emptyJvmMs() throws Exception {
        List<String> command = GatewayProcess.applianceJava(gatewayJavaOptions, EmptyMain.class);
        long launched = System.nanoTime();
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("the empty JVM failed");
        }
        return (System.nanoTime() - launched) / 1e6;
    }

    private void buildBacklog(Path file) throws Exception {
        Path dir = file.getParent().resolve("backlog");
        BenchCommand.fillOutbox(dir, ID, backlog, BenchCommand.sampleEvents(1_000));
        Files.move(dir.resolve("outbox.mv"), file);
    }

    private static Path writeConfig(Path state, String uri) throws Exception {
        Files.createDirectories(state);
        return Files.writeString(state.resolve("storegw.yaml"), """
                tenant: %s
                store: %s
                gateway: %s
                stateDir: %s
                uplink:
                  broker: %s
                outbox:
                  budget: 8GB
                sources:
                  virtual:
                    rate: 25
                admin:
                  http:
                    port: 0
                """.formatted(ID.tenant(), ID.store(), ID.gateway(), state.toAbsolutePath(), uri));
    }

    private List<String> render(List<Double> floor, List<Start> empty, List<Start> full, List<Start> killed, long backlogBytes) throws Exception {
        double base = median(floor);
        List<String> out = new ArrayList<>();
        out.add("# storegw startup benchmark, " + java.time.LocalDate.now());
        out.add("");
        out.add("Machine: " + Runtime.getRuntime().availableProcessors() + " cores, Java " + Runtime.version() + ", Mosquitto on 127.0.0.1.");
        out.add("Gateway in a child JVM with the appliance's options: " + String.join(" ", GatewayProcess.applianceJvmOptions())
                + (gatewayJavaOptions.isEmpty() ? "" : ", and " + String.join(" ", gatewayJavaOptions)) + "; the virtual store at 25 observations/s; NOTIFY_SOCKET set, as systemd sets it.");
        out.add("Baseline: the same JVM, options and classpath running an empty main, launch to exit: median "
                + String.format("%.0f", base) + " ms of " + runs + " runs (" + list(floor) + ").");
        out.add("Backlog: " + backlog + " events, an outbox file of " + String.format("%.0f", backlogBytes / 1048576.0)
                + " MB copied in before each start; after kill -9: killed just after READY=1, then started again.");
        out.add("");
        out.add("| case | to READY=1, ms (median, max) | ratio to bare JVM | to online at central, ms (median, max) | ratio | orderly stop, ms (median, max) |");
        out.add("|---|---:|---:|---:|---:|---:|");
        out.add(row("empty outbox", empty, base));
        out.add(row("backlog", full, base));
        out.add(row("backlog after kill -9", killed, base));
        out.add("");
        out.add("Each run's figures (ready / online / stop, ms):");
        out.add("");
        out.add("- empty outbox: " + runs(empty));
        out.add("- backlog: " + runs(full));
        out.add("- backlog after kill -9: " + runs(killed));
        return out;
    }

    private static String row(String name, List<Start> starts, double base) {
        double[] ready = starts.stream().mapToDouble(Start::readyMs).toArray();
        double[] online = starts.stream().mapToDouble(Start::onlineMs).toArray();
        double[] stop = starts.stream().mapToDouble(Start::stopMs).toArray();
        return String.format("| %s | %.0f, %.0f | %.2f | %.0f, %.0f | %.2f | %.0f, %.0f |", name, median(ready), max(ready),
                median(ready) / base, median(online), max(online), median(online) / base, median(stop), max(stop));
    }

    private static String runs(List<Start> starts) {
        return String.join("; ", starts.stream().map(s -> String.format("%.0f / %.0f / %.0f", s.readyMs(), s.onlineMs(), s.stopMs())).toList());
    }

    private static String list(List<Double> ms) {
        return String.join(", ", ms.stream().map(m -> String.format("%.0f", m)).toList());
    }

    private static double median(List<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    private static void say(String text) {
        System.err.println("startup-bench: " + text);
    }
}
