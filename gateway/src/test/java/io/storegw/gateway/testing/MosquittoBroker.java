package io.storegw.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto process (from the PATH) on 127.0.0.1.
 *
 * <p>{@code max_inflight_messages} is finite on purpose: with 0, Mosquitto 2.0.11 overruns an MQTT 5
 * subscriber's Receive Maximum. {@code max_queued_messages 0} lifts the default 1000-message queue
 * limit, which would otherwise drop messages for a subscriber that falls behind.
 */
public final class MosquittoBroker implements TestBroker {

    private final int port;
    private final Path dataDir;
    private final List<String> listenerOptions;
    private Process process;

    public MosquittoBroker(int port, Path dataDir) {
        this(port, dataDir, List.of());
    }

    /** A broker whose listener takes extra options (TLS files, password file, ...). */
    public MosquittoBroker(int port, Path dataDir, List<String> listenerOptions) {
        this.port = port;
        this.dataDir = dataDir;
        this.listenerOptions = List.copyOf(listenerOptions);
    }

    /**
     * A broker that refuses as {@code refusing} says, with Mosquitto's means: an ACL that denies the topic (Mosquitto
     * answers PUBACK 135) and {@code max_packet_size}.
     */
    static MosquittoBroker refusing(int port, Path dataDir, TestBroker.Refusing refusing) {
        try {
            Path acl = Files.createDirectories(dataDir).resolve("acl");
            String denied = refusing.deniedTopic().endsWith("/") ? refusing.deniedTopic() + "#" : refusing.deniedTopic();
            Files.writeString(acl, "topic readwrite #\ntopic deny " + denied + "\n");
            return new MosquittoBroker(port, dataDir, List.of("acl_file " + acl.toAbsolutePath(), "max_packet_size " + refusing.maxPacketBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            Files.createDirectories(dataDir);
            Path conf = dataDir.resolve("mosquitto.conf");
            List<String> lines = new java.util.ArrayList<>(List.of("per_listener_settings false", "listener " + port + " 127.0.0.1"));
            lines.addAll(listenerOptions);
            lines.add(listenerOptions.stream().anyMatch(o -> o.startsWith("password_file")) ? "allow_anonymous false" : "allow_anonymous true");
            Files.writeString(conf, String.join("\n", lines) + "\n" + String.join("\n",
                    "persistence true",
                    "persistence_location " + dataDir.toAbsolutePath() + "/",
                    "autosave_interval 0",
                    "max_inflight_messages 20",
                    "max_queued_messages 0",
                    "user root",
                    "log_dest stderr",
                    "log_type error",
                    "log_type warning",
                    ""));
            process = new ProcessBuilder("mosquitto", "-c", conf.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dataDir.resolve("mosquitto.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start mosquitto (is it installed? apt-get install mosquitto)", e);
        }
        TestBroker.awaitListening(port, Duration.ofSeconds(10));
    }

    /** The running broker's process: the benchmark counts the CPU it takes. */
    public synchronized ProcessHandle process() {
        if (process == null) {
            throw new IllegalStateException("mosquitto is not running");
        }
        return process.toHandle();
    }

    @Override
    public synchronized void stop() {
        if (process != null) {
            process.destroy(); // SIGTERM: Mosquitto saves its persistence and exits
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
