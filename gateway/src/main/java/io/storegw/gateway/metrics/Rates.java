package io.storegw.gateway.metrics;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;

/**
 * Per-second rates of counters over about the last minute, sampled when asked (by {@code storegw
 * status}); until a minute has passed, since the first sample.
 */
public final class Rates {

    private static final long SAMPLE_EVERY_MILLIS = 5_000;
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

    /** Each counter's rate per second, in the order given. */
    public synchronized double[] perSecond() {
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
        Sample first = samples.peekFirst();
        double seconds = (now - first.atMillis()) / 1000.0;
        double[] rates = new double[values.length];
        for (int i = 0; i < rates.length && seconds > 0; i++) {
            rates[i] = (values[i] - first.values()[i]) / seconds;
        }
        return rates;
    }
}
