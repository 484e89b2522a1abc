package io.storegw.drivers.virtual;

import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.source.ObservationSink;
import io.storegw.drivers.source.ObservationSource;
import io.storegw.drivers.source.SourceThread;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The virtual store as a source: pumps a {@link VirtualStoreModel} into the gateway at a fixed rate.
 *
 * <p>It is the demo's store and the load generator of the benchmarks; a rate of 0 runs as fast as
 * the gateway accepts, and a limit of 0 runs until closed.
 */
public final class VirtualStore implements ObservationSource {

    private final Settings settings;
    private final Clock clock;
    private volatile SourceThread pump;
    private volatile String problem;

    /**
     * How the store runs.
     *
     * @param rate  observations per second; 0 means as fast as the gateway takes them
     * @param limit how many observations to produce before stopping; 0 means no limit
     */
    public record Settings(long seed, double rate, long limit) {
        public Settings {
            if (rate < 0) {
                throw new IllegalArgumentException("rate must be 0 or more, was " + rate);
            }
            if (limit < 0) {
                throw new IllegalArgumentException("limit must be 0 or more, was " + limit);
            }
        }
    }

    public VirtualStore(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "virtual";
    }

    @Override
    public void start(ObservationSink sink) {
        pump = SourceThread.start("source-virtual", () -> run(sink));
    }

    private void run(ObservationSink sink) {
        VirtualStoreModel model = new VirtualStoreModel(settings.seed(), clock);
        long intervalNanos = settings.rate() == 0 ? 0 : (long) (TimeUnit.SECONDS.toNanos(1) / settings.rate());
        long next = System.nanoTime();
        try {
            for (long n = 0; settings.limit() == 0 || n < settings.limit(); n++) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                if (intervalNanos > 0) {
                    next += intervalNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
                Observation observation = model.next();
                sink.accept(observation);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            problem = "virtual store stopped: " + e;
        }
    }

    @Override
    public String problem() {
        return problem;
    }

    @Override
    public void close() {
        SourceThread thread = pump;
        if (thread != null) {
            thread.stop();
        }
    }
}
