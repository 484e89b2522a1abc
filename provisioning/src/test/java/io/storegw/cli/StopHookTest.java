package io.storegw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.testing.Await;
import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A SIGTERM while the gateway starts: the hook waits for the start, then closes what it started, once. */
class StopHookTest {

    @TempDir
    Path dir;

    /**
     * The hook as {@code storegw run} installs it, in a child JVM with the appliance's options: SIGTERM as soon as the
     * outbox file appears, early in the start, and the gateway still stops cleanly once started: its log says so and
     * the admin socket it bound meanwhile is removed. With the hook installed after the start, the JVM ended with
     * nothing closed (checked: this test failed).
     */
    @Test
    void storegwRunStoppedAsSoonAsItsSocketAppearsClosesWhatItStarted() throws Exception {
        Path socket = dir.resolve("admin.sock");
        Path state = dir.resolve("state");
        Path config = Files.writeString(dir.resolve("storegw.yaml"), TestConfigs.yaml(state, "tcp://127.0.0.1:" + TestBroker.freePort(),
                50, 100, "  socket: " + socket + "\n"));
        Path log = dir.resolve("run.log");
        Process run = Cli.storegwRun(config, log);
        try {
            Await.until(Duration.ofSeconds(60), "the outbox file", () -> Files.exists(state.resolve("outbox.mv")));
            run.destroy(); // SIGTERM
            assertThat(run.waitFor(30, TimeUnit.SECONDS)).as(GatewayProcess.tail(log)).isTrue();
            assertThat(Files.readString(log)).as(GatewayProcess.tail(log)).contains("storegw stopped");
            assertThat(Files.readString(log)).as("started before it stopped").contains("running for acme/");
            assertThat(socket).as("the socket removed").doesNotExist();
        } finally {
            run.destroyForcibly();
        }
    }

    @Test
    void aStopDuringTheStartClosesTheGatewayOnceItHasStarted() throws Exception {
        RunCommand.StopHook hook = new RunCommand.StopHook();
        CompletableFuture<Void> signal = CompletableFuture.runAsync(hook); // the JVM runs the hook on SIGTERM
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> signal.get(200, TimeUnit.MILLISECONDS))
                .as("the hook waits while the start goes on").isInstanceOf(TimeoutException.class);
        AtomicInteger closed = new AtomicInteger();
        hook.startEnded(closed::incrementAndGet);
        signal.get(10, TimeUnit.SECONDS);
        assertThat(closed).hasValue(1);
        hook.awaitStopped();
    }

    @Test
    void aStopAfterAFailedStartHasNothingToClose() throws Exception {
        RunCommand.StopHook hook = new RunCommand.StopHook();
        hook.startEnded(null);
        CompletableFuture.runAsync(hook).get(10, TimeUnit.SECONDS);
        hook.awaitStopped();
    }
}
