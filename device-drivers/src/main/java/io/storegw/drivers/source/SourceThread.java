package io.storegw.drivers.source;

import java.util.concurrent.TimeUnit;

/**
 * The daemon thread a polling source runs on, at the lowest priority: started with the source, interrupted
 * and given five seconds to finish when the source closes. The body returns when interrupted.
 */
public final class SourceThread {

    /** A source's loop; it may block and is interrupted to stop. */
    @FunctionalInterface
    public interface Body {
        void run() throws InterruptedException;
    }

    private final Thread thread;

    private SourceThread(Thread thread) {
        this.thread = thread;
    }

    /** Starts {@code body} on a daemon thread called {@code name}. */
    public static SourceThread start(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // stopping: nothing left to do
            }
        }, name);
        t.setDaemon(true);
        // Below the uplink: a source that can outrun the uplink (the virtual store at full speed) otherwise
        // takes the CPU the uplink's chain of wake-ups needs; see the appliance's JVM options.
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
        return new SourceThread(t);
    }

    /**
     * Interrupts the body and waits up to five seconds for it to return, interrupting it again every tenth of a second:
     * a library may swallow an interrupt (Paho's {@code waitForCompletion} turns it into an exception and clears it),
     * and the body then slept on, past the five seconds, in its next wait.
     */
    public void stop() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            while (thread.isAlive() && System.nanoTime() < deadline) {
                thread.interrupt();
                thread.join(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
