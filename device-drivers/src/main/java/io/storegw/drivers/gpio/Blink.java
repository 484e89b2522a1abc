package io.storegw.drivers.gpio;

import java.time.Duration;
import java.util.List;

/**
 * A light or buzzer pattern: durations alternating on, off, on, ... from the start, played once or
 * repeated. {@code steady} is on for good; an empty pattern is off.
 */
public record Blink(List<Duration> steps, boolean repeat) {

    public static final Blink OFF = new Blink(List.of(), false);
    public static final Blink STEADY = new Blink(List.of(Duration.ofDays(36_500)), false);

    public Blink {
        steps = List.copyOf(steps);
        if (steps.stream().anyMatch(d -> d.isNegative() || d.isZero())) {
            throw new IllegalArgumentException("every step of a pattern must be longer than zero");
        }
    }

    /** Whether the output is on {@code elapsed} after the pattern started. */
    public boolean onAt(Duration elapsed) {
        long total = steps.stream().mapToLong(Duration::toNanos).sum();
        if (total == 0) {
            return false;
        }
        long t = elapsed.toNanos();
        if (t >= total) {
            if (!repeat) {
                return false;
            }
            t %= total;
        }
        for (int i = 0; i < steps.size(); i++) {
            t -= steps.get(i).toNanos();
            if (t < 0) {
                return i % 2 == 0;
            }
        }
        return false;
    }
}
