package io.storegw.drivers.gpio;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One GPIO output (a status light, a buzzer) playing {@link Blink} patterns: {@link #show} keeps a
 * pattern going until another is shown, {@link #play} plays one over it once and returns to what was
 * shown. A 50 ms tick sets the pin; {@link #tick} is what it runs, so tests drive it with a clock.
 */
public final class GpioOutput implements AutoCloseable {

    private static final long TICK_MILLIS = 50;

    private final DigitalOutput pin;
    private final boolean activeHigh;
    private final Clock clock;
    private ScheduledExecutorService ticker;
    private Blink shown = Blink.OFF;
    private Instant shownSince;
    private Blink playing;
    private Instant playingSince;
    private Boolean lastOn;

    /**
     * @param id         the Pi4J id of the output, e.g. {@code status-light}
     * @param pinNumber  BCM GPIO number
     * @param activeHigh whether the device is on while the pin is high
     */
    public GpioOutput(Context pi4j, String id, int pinNumber, boolean activeHigh, Clock clock) {
        this.activeHigh = activeHigh;
        this.clock = clock;
        DigitalState off = activeHigh ? DigitalState.LOW : DigitalState.HIGH;
        this.pin = pi4j.create(DigitalOutput.newConfigBuilder(pi4j).id(id).address(pinNumber).initial(off).shutdown(off).build());
        this.shownSince = clock.instant();
    }

    /** Starts the 50 ms tick on a daemon thread. */
    public GpioOutput start() {
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gpio-output-" + pin.id());
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Keeps {@code pattern} going (the status light's state); showing the same pattern again changes nothing. */
    public synchronized void show(Blink pattern) {
        if (!pattern.equals(shown)) {
            shown = pattern;
            shownSince = clock.instant();
        }
    }

    /** Plays {@code pattern} once over what is shown (a pickup arrival's beeps). */
    public synchronized void play(Blink pattern) {
        playing = pattern;
        playingSince = clock.instant();
    }

    /** Sets the pin for now. */
    public synchronized void tick() {
        Instant now = clock.instant();
        boolean on;
        if (playing != null && Duration.between(playingSince, now).compareTo(total(playing)) < 0) {
            on = playing.onAt(Duration.between(playingSince, now));
        } else {
            playing = null;
            on = shown.onAt(Duration.between(shownSince, now));
        }
        if (lastOn == null || lastOn != on) {
            lastOn = on;
            pin.state(on == activeHigh ? DigitalState.HIGH : DigitalState.LOW);
        }
    }

    private static Duration total(Blink b) {
        return b.steps().stream().reduce(Duration.ZERO, Duration::plus);
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }
}
