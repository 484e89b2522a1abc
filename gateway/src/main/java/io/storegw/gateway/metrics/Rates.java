package io.storegw.gateway.metrics;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;

/**
 * Per-second rates of counters over about the last minute, for {@code storegw status}: sampled every
 * {@link #SAMPLE_EVERY} by the gateway, and when asked; until a minute has passed, since the first sample.
 */
public final class Rates {

    /** How often the owner calls {@link #sample()}: sampled only when asked, a one-off status had no minute behind it. */
    public static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);
    private static final long SAMPLE_EVERY_MILLIS = SAMPLE_EVERY.toMillis();
    private static final long SPAN_MILLIS = 60_000;

    private record Sample(long atMillis, long[] values) {
    }

    private final LongSupplier clock;
    private final LongSupplier[] counters;
    private final Deque<Sample> samples = new ArrayDeque<>();

    public Rates(LongSupplier clockMillis, LongSupplier... counters) {
        this.clock = clockMillis;
        this.counters = counters.clone();
    }

    /** Takes a sample if one is due. */
    public synchronized void sample() {
        sampleNow();
    }

    /** Each counter's rate per second, in the order given. */
    public synchronized double[] perSecond() {
        Sample last = sampleNow();
        long now = last.atMillis();
        long[] values = last.values();
        Sample first = samples.peekFirst();
        double seconds = (now - first.atMillis()) / 1000.0;
        double[] rates = new double[values.length];
        for (int i = 0; i < rates.length && seconds > 0; i++) {
            rates[i] = (values[i] - first.values()[i]) / seconds;
        }
        return rates;
    }

    /** Samples if due, drops what fell out of the span, and returns the counters now. */
    private Sample sampleNow() {
        long now = clock.getAsLong();
        long[] values = new long[counters.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = counters[i].getAsLong();
        }
        if (samples.isEmpty() || now - samples.peekLast().atMillis() >= SAMPLE_EVERY_MILLIS) {
            samples.addLast(new Sample(now, values));
        }
        while (samples.size() > 1 && now - samples.peekFirst().atMillis() > SPAN_MILLIS) {
            samples.removeFirst();
        }
        return new Sample(now, values);
    }
}
