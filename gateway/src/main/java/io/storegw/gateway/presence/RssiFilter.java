package io.storegw.gateway.presence;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One receiver's view of one phone's RSSI, reduced to one figure per decision window. Two kinds
 * ({@link ZoneTracker.Filter}), chosen by {@code presence.filter} and compared by
 * {@code storegw bench-presence}.
 */
abstract sealed class RssiFilter {

    static RssiFilter of(ZoneTracker.Filter kind) {
        return kind == ZoneTracker.Filter.MEDIAN ? new Median() : new Kalman();
    }

    static final int OUTLIER_DB = 10;

    /** Takes one sample heard {@code seconds} after the filter's previous one. */
    abstract void add(int rssi, double seconds);

    /** The figure for the window that has just ended, or NaN when nothing was heard in it; starts the next window. */
    abstract double closeWindow();

    /**
     * Samples more than {@link #OUTLIER_DB} from the median (a reflection, a body in the way) are
     * dropped, and the median of the rest is the signal. The list must not be empty.
     */
    static double median(List<Integer> samples) {
        int[] s = samples.stream().mapToInt(Integer::intValue).sorted().toArray();
        double median = median(s);
        int[] kept = Arrays.stream(s).filter(v -> Math.abs(v - median) <= OUTLIER_DB).toArray();
        return kept.length == 0 ? median : median(kept);
    }

    private static double median(int[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    /** Each window on its own: robust to dips, blind to what came before. */
    static final class Median extends RssiFilter {
        private final List<Integer> samples = new ArrayList<>();

        @Override
        void add(int rssi, double seconds) {
            samples.add(rssi);
        }

        @Override
        double closeWindow() {
            if (samples.isEmpty()) {
                return Double.NaN;
            }
            double value = median(samples);
            samples.clear();
            return value;
        }
    }

    /**
     * The signal as a random walk ({@value #WALK_DB2_PER_S} dB² a second: a walking shopper) measured
     * with {@value #NOISE_DB2} dB² of noise (σ 4 dB, fading); carries its estimate across windows.
     */
    static final class Kalman extends RssiFilter {
        static final double WALK_DB2_PER_S = 2.0;
        static final double NOISE_DB2 = 16.0;
        private double estimate = Double.NaN;
        private double variance;
        private boolean heard;

        @Override
        void add(int rssi, double seconds) {
            if (Double.isNaN(estimate)) {
                estimate = rssi;
                variance = NOISE_DB2;
            } else {
                variance += WALK_DB2_PER_S * seconds;
                double gain = variance / (variance + NOISE_DB2);
                estimate += gain * (rssi - estimate);
                variance *= 1 - gain;
            }
            heard = true;
        }

        @Override
        double closeWindow() {
            double value = heard ? estimate : Double.NaN;
            heard = false;
            return value;
        }
    }
}
