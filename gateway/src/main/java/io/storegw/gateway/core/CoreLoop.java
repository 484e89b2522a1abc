package io.storegw.gateway.core;

import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.source.ObservationSink;
import io.storegw.drivers.source.Refused;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.outbox.EventTooLargeException;
import io.storegw.gateway.outbox.Outbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.tinylog.Logger;

/**
 * The one thread that owns correlation state: drains the bounded observation queue through the
 * {@link Pipeline}, runs its timers, and appends what comes out to the outbox.
 *
 * <p>A source's future completes when the events of its observation are durable, never before.
 */
public final class CoreLoop implements ObservationSink, AutoCloseable {

    private final Metrics metrics;

    /** An observation or an instruction (one of the two is null), and what waits for it to be durable. */
    private record Submission(Observation observation, Instruction instruction, CompletableFuture<Void> done) {
    }

    private static final int BATCH = 256;

    private final Pipeline pipeline;
    private final Outbox outbox;
    private final BlockingQueue<Submission> queue;
    private final long tickMillis;
    private final Thread thread;
    private final LongAdder observationsIn;
    private final LongAdder eventsMade;
    private final LongAdder failures;
    private final RefusedInput refusedInput;
    private volatile long lastTurnNanos = System.nanoTime();
    private volatile boolean running = true;

    public CoreLoop(Pipeline pipeline, Outbox outbox, int queueCapacity, Duration tick, Metrics metrics) {
        this.pipeline = pipeline;
        this.outbox = outbox;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.tickMillis = tick.toMillis();
        this.metrics = metrics;
        this.observationsIn = metrics.counter("storegw_core_observations_total", "Observations taken by the core loop");
        this.eventsMade = metrics.counter("storegw_core_events_total", "Events made by the core loop");
        this.refusedInput = new RefusedInput(metrics, pipeline.clock());
        this.failures = metrics.counter("storegw_core_handler_failures_total", "Observations a handler failed on (skipped)");
        metrics.gauge("storegw_core_queue_depth", "Observations waiting for the core loop", queue::size);
        this.thread = new Thread(this::run, "core-loop");
        // Ingestion runs below forwarding. Forwarding needs little CPU but needs it at once, three wake-ups per
        // message (Paho's sender, receiver, callback) with at most a Receive Maximum in flight; at
        // equal priority a full-speed source and this loop delayed every wake-up, and forwarding fell to half
        // of raw Paho. With the appliance's JVM options this is nice 19 (no privilege needed to lower a
        // priority); without -XX:ThreadPriorityPolicy=1 Java priorities are ignored on Linux.
        this.thread.setPriority(Thread.MIN_PRIORITY);
    }

    /** Starts the loop's thread. */
    public void start() {
        thread.start();
    }

    @Override
    public CompletionStage<Void> accept(Observation observation) throws InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new Refused(Refused.Retry.LATER, "gateway is stopping", null));
            return done;
        }
        queue.put(new Submission(observation, null, done));
        return done;
    }

    /**
     * Queues an instruction behind the observations already waiting; completes when what it changed
     * is durable (or fails with the handler's error, without stopping the loop).
     */
    public CompletableFuture<Void> instruct(Instruction instruction) throws InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new IllegalStateException("gateway is stopping"));
            return done;
        }
        queue.put(new Submission(null, instruction, done));
        return done;
    }

    @Override
    public void refused(String source, String reason, String detail) {
        refusedInput.refused(source, reason, detail);
    }

    /** What the sources refused, by source. */
    public RefusedInput refusedInput() {
        return refusedInput;
    }

    @Override
    public void counted(String source, String event) {
        metrics.counter("storegw_source_events_total", "Things that happened to a source (an adapter lost, a daemon restarted), by source and event",
                "source", source, "event", event).increment();
    }

    private void run() {
        long nextTick = pipeline.clock().millis() + tickMillis;
        List<Submission> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty()) {
            try {
                lastTurnNanos = System.nanoTime();
                long now = pipeline.clock().millis();
                if (nextTick - now > tickMillis) {
                    // The clock was set back: the next tick would wait for it to come round again, days without a
                    // bucket closed or telemetry sent (the watchdog only sees the loop turning on observations).
                    nextTick = now;
                }
                long wait = Math.max(0, nextTick - now);
                Submission s = queue.poll(running ? wait : 0, TimeUnit.MILLISECONDS);
                if (s != null) {
                    // Take what else is queued in one go: one lock hand-off per batch, not per observation.
                    batch.add(s);
                    queue.drainTo(batch, BATCH - 1);
                    for (Submission each : batch) {
                        handle(each);
                    }
                    batch.clear();
                }
                if (pipeline.clock().millis() >= nextTick) {
                    nextTick = pipeline.clock().millis() + tickMillis;
                    append(pipeline.tick(), null, null);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                failures.increment();
                Logger.error(e, "Core loop tick failed");
            }
        }
    }

    private void handle(Submission s) throws InterruptedException {
        if (s.instruction() != null) {
            Pipeline.Step step;
            try {
                step = pipeline.apply(s.instruction());
            } catch (Declined e) {
                s.done().completeExceptionally(e);
                return;
            } catch (RuntimeException e) {
                Logger.error(e, "Instruction failed: {}", s.instruction());
                s.done().completeExceptionally(e);
                return;
            }
            append(step, null, s.done());
            return;
        }
        observationsIn.increment();
        Pipeline.Step step;
        try {
            step = pipeline.process(s.observation());
        } catch (RuntimeException e) {
            // One bad observation must not stop the store: skip it, count it, tell its source.
            failures.increment();
            Logger.error(e, "Handler failed on {}", s.observation());
            s.done().completeExceptionally(new Refused(Refused.Retry.NEVER, "the gateway cannot process this input: " + e, e));
            return;
        }
        append(step, s.observation().idempotencyKey(), s.done());
    }

    private void append(Pipeline.Step step, String key, CompletableFuture<Void> done) throws InterruptedException {
        if (step.isEmpty()) {
            // Most observations (BLE sightings) only update state: nothing to make durable.
            if (done != null) {
                done.complete(null);
            }
            return;
        }
        eventsMade.add(step.events().size());
        CompletableFuture<Void> durable = outbox.append(step.events(), step.saved(), key);
        if (done != null) {
            durable.whenComplete((v, e) -> {
                if (e == null) {
                    done.complete(null);
                } else {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    // A full or failing outbox takes the same input later; an event too large for a row never will.
                    Refused.Retry retry = cause instanceof EventTooLargeException ? Refused.Retry.NEVER : Refused.Retry.LATER;
                    done.completeExceptionally(new Refused(retry, cause.getMessage(), cause));
                }
            });
        }
    }

    /** Null when the loop is turning; otherwise why not. */
    public String problem() {
        if (!thread.isAlive()) {
            return running ? "core loop stopped" : null;
        }
        long stuckMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastTurnNanos);
        return stuckMillis > Math.max(10_000, tickMillis * 10) ? "core loop has not turned for " + stuckMillis + " ms" : null;
    }

    /** Stops taking observations, finishes those queued, and returns. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
