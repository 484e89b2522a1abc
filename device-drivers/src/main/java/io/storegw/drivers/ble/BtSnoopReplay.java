package io.storegw.drivers.ble;

import io.storegw.drivers.Errors;
import io.storegw.drivers.ble.beacon.BeaconDecoder;
import io.storegw.drivers.ble.beacon.BeaconFrame;
import io.storegw.drivers.ble.hci.BtSnoop;
import io.storegw.drivers.ble.identity.IdentityResolver;
import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.source.ObservationSink;
import io.storegw.drivers.source.ObservationSource;
import io.storegw.drivers.source.SourceThread;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A btsnoop capture as an observation source: each advertising report becomes a {@link BleSighting}
 * stamped with its capture time, resolved by the given {@link IdentityResolver} (which this source's
 * thread then owns). For reproducing a store's radio traffic on a desk, and for tests.
 */
public final class BtSnoopReplay implements ObservationSource {

    /**
     * @param receiverId the receiver the sightings are attributed to
     * @param paced      replay at the capture's own pace (otherwise as fast as the sink takes them)
     */
    public record Settings(Path file, String receiverId, boolean paced) {
    }

    private final Settings settings;
    private final IdentityResolver resolver;
    private final AtomicLong sightings = new AtomicLong();
    private volatile SourceThread thread;
    private volatile String problem;
    private volatile boolean finished;

    public BtSnoopReplay(Settings settings, IdentityResolver resolver) {
        this.settings = settings;
        this.resolver = resolver;
    }

    @Override
    public String name() {
        return "btsnoop";
    }

    /** Sightings handed to the sink so far. */
    public long sightings() {
        return sightings.get();
    }

    /** Whether the whole capture has been replayed. */
    public boolean finished() {
        return finished;
    }

    @Override
    public String problem() {
        return problem;
    }

    @Override
    public void start(ObservationSink sink) {
        thread = SourceThread.start("source-btsnoop", () -> run(sink));
    }

    private void run(ObservationSink sink) {
        try (BtSnoop capture = BtSnoop.open(settings.file())) {
            Instant[] first = new Instant[1];
            long startNanos = System.nanoTime();
            capture.forEachReport(timed -> {
                if (settings.paced()) {
                    if (first[0] == null) {
                        first[0] = timed.time();
                    }
                    pace(startNanos, Duration.between(first[0], timed.time()));
                }
                List<BeaconFrame> frames = BeaconDecoder.decode(timed.report().data());
                IdentityResolver.Resolution who = resolver.resolve(timed.report().address(), frames, timed.time());
                for (Observation o : BleSightings.of(timed.time(), settings.receiverId(), timed.report().rssi(), frames, who)) {
                    try {
                        sink.accept(o);
                        if (o instanceof BleSighting) {
                            sightings.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new Stopped();
                    }
                }
            });
            finished = true;
        } catch (Stopped stopped) {
            // closed while replaying
        } catch (IOException | BleFormatException e) {
            problem = "cannot replay " + settings.file() + ": " + Errors.describe(e);
        }
    }

    private static void pace(long startNanos, Duration offset) {
        long wait = startNanos + offset.toNanos() - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stopped();
            }
        }
    }

    /** Unwinds the capture loop when the source is closed. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }

    @Override
    public void close() {
        SourceThread t = thread;
        if (t != null) {
            t.stop();
        }
    }
}
