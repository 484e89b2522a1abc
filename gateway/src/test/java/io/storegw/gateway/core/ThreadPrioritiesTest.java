package io.storegw.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.testing.Await;
import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway in a child JVM with the appliance's options: its ingestion threads run at a lower OS
 * priority than its forwarding threads, as the kernel sees them.
 */
class ThreadPrioritiesTest {

    @TempDir
    Path dir;

    @Test
    void theCoreLoopAndTheSourcesRunBelowTheUplinkAndTheCommitter() throws Exception {
        Path state = dir.resolve("gw");
        Files.createDirectories(state);
        Path config = Files.writeString(state.resolve("storegw.yaml"),
                TestConfigs.yaml(state, "tcp://127.0.0.1:" + TestBroker.freePort(), 50, 1_000_000, ""));
        Process gateway = GatewayProcess.start(config, dir.resolve("gw.log"), Map.of());
        try {
            Map<String, Integer> nice = new HashMap<>();
            Await.until(Duration.ofSeconds(60), "the gateway's threads", () -> {
                nice.clear();
                nice.putAll(niceByThread(gateway.pid()));
                return nice.keySet().containsAll(java.util.List.of("core-loop", "source-virtual", "uplink", "outbox-committe"));
            });
            assertThat(nice.get("core-loop")).isEqualTo(19);
            assertThat(nice.get("source-virtual")).isEqualTo(19);
            assertThat(nice.get("uplink")).isZero();
            assertThat(nice.get("outbox-committe")).as("outbox-committer").isZero();
        } finally {
            gateway.destroy();
            assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * Nice value by thread name, from {@code /proc/PID/task}: the 19th field of each thread's stat. The
     * kernel keeps the first 15 characters of a name.
     */
    private static Map<String, Integer> niceByThread(long pid) {
        Map<String, Integer> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                String comm = Files.readString(task.resolve("comm")).strip();
                String stat = Files.readString(task.resolve("stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                out.put(comm, Integer.parseInt(fields[16]));
            }
        } catch (IOException e) {
            return Map.of(); // a thread ended while being read: try again
        }
        return out;
    }
}
