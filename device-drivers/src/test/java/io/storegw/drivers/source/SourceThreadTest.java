package io.storegw.drivers.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A source's thread stops when asked, also when something it called swallowed the interrupt. */
class SourceThreadTest {

    /**
     * As the local MQTT source did when the gateway stopped during its connect: Paho turned the interrupt into an
     * exception, and the source went on to sleep until its next sweep, past the five seconds the stop waits.
     */
    @Test
    void aBodyThatSwallowsAnInterruptStillStops() throws Exception {
        CountDownLatch connecting = new CountDownLatch(1);
        Thread[] running = new Thread[1];
        SourceThread source = SourceThread.start("source-test", () -> {
            running[0] = Thread.currentThread();
            try {
                connecting.countDown();
                Thread.sleep(TimeUnit.MINUTES.toMillis(1)); // a library's wait
            } catch (InterruptedException swallowed) {
                // the library's way: an exception of its own, and the flag cleared
            }
            Thread.sleep(TimeUnit.MINUTES.toMillis(1)); // the source's next sweep
        });
        assertThat(connecting.await(10, TimeUnit.SECONDS)).isTrue();
        source.stop();
        assertThat(running[0].isAlive()).as("the source's thread after stop()").isFalse();
    }
}
