package io.storegw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A SIGTERM while the gateway starts: the hook waits for the start, then closes what it started, once. */
class StopHookTest {

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
