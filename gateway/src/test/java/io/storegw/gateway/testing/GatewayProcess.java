package io.storegw.gateway.testing;

import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A gateway in a child JVM, so tests can {@code kill -9} it: {@code start} launches it with the
 * appliance's JVM options; the child runs {@link #main} until killed or sent SIGTERM.
 */
public final class GatewayProcess {

    private GatewayProcess() {
    }

    public static void main(String[] args) throws Exception {
        Gateway.routeLibraryLogs(); // as storegw run does
        Gateway gateway = Gateway.start(ConfigLoader.load(Path.of(args[0])), Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            stopped.countDown();
        }));
        stopped.await();
    }

    /** The appliance's JVM options, as the launcher and the service use them. */
    public static List<String> applianceJvmOptions() throws IOException {
        try (var in = Gateway.class.getResourceAsStream("appliance-jvm.options")) {
            if (in == null) {
                throw new IOException("appliance-jvm.options missing from the gateway jar");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
    }

    /** Starts a child gateway on {@code config} with the appliance's JVM options; its output goes to {@code log}. */
    public static Process start(Path config, Path log) throws IOException {
        return start(config, log, java.util.Map.of());
    }

    /** The same, with {@code env} added to the child's environment (as systemd sets {@code NOTIFY_SOCKET}). */
    public static Process start(Path config, Path log, java.util.Map<String, String> env) throws IOException {
        return start(config, log, env, List.of());
    }

    /** The same, with JVM options after the appliance's (a benchmark's profiler, or a flag under trial). */
    public static Process start(Path config, Path log, java.util.Map<String, String> env, List<String> jvmOptions) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(applianceJava(jvmOptions, GatewayProcess.class, config.toString())).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        return builder.start();
    }

    /** The command line that runs {@code main} on this classpath in a JVM with the appliance's options, then {@code jvmOptions}. */
    public static List<String> applianceJava(List<String> jvmOptions, Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(applianceJvmOptions());
        // The appliance ships no SLF4J provider; this classpath has the test broker's logback, which would
        // bind and load ~650 classes the appliance never does (and skew the benchmark's RSS).
        command.add("-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider");
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** The last 30 lines of a child gateway's log, for a failing test's message. */
    public static String tail(Path log) throws IOException {
        List<String> lines = java.nio.file.Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
