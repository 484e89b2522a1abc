package io.storegw.gateway.presence;

import java.util.Arrays;
import java.util.List;

/**
 * One window's RSSI samples of one device at one receiver, reduced to one robust figure: samples more
 * than {@link #OUTLIER_DB} from the median (a reflection, a body in the way) are dropped, and the
 * median of the rest is the signal.
 */
final class RssiFilter {

    static final int OUTLIER_DB = 10;

    private RssiFilter() {
    }

    /** The filtered RSSI in dBm; the list must not be empty. */
    static double of(List<Integer> samples) {
        int[] s = samples.stream().mapToInt(Integer::intValue).sorted().toArray();
        double median = median(s);
        int[] kept = Arrays.stream(s).filter(v -> Math.abs(v - median) <= OUTLIER_DB).toArray();
        return kept.length == 0 ? median : median(kept);
    }

    private static double median(int[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
