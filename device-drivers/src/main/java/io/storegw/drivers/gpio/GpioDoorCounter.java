package io.storegw.drivers.gpio;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import io.storegw.drivers.Errors;
import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.source.ObservationSink;
import io.storegw.drivers.source.ObservationSource;
import io.storegw.drivers.source.SourceThread;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A door counter of two infrared beams on GPIO inputs (Pi4J), counted by {@link BeamCounter}: each
 * person walking through is one {@code DoorCrossing}, which the gateway buckets into
 * {@code store.footfall}; a blocked beam is a {@code device.status} fault.
 */
public final class GpioDoorCounter implements ObservationSource {

    /**
     * One beam's receiver.
     *
     * @param pin         BCM GPIO number
     * @param brokenWhenHigh whether the input reads high while the beam is broken (most open-collector
     *                    receivers with a pull-up read high when the light no longer reaches them)
     * @param pull        {@code up}, {@code down} or {@code off}
     */
    public record Beam(int pin, boolean brokenWhenHigh, String pull) {
    }

    /**
     * @param door      the door, as events name it
     * @param debounce  Pi4J's input debounce, and the counter's chatter window
     * @param check     how often blocked beams are looked for
     */
    public record Settings(String door, Beam outer, Beam inner, Duration debounce, Duration minGap, Duration maxTransit,
                           Duration stuckAfter, Duration check) {
    }

    static final String NAME = "gpio-door";

    private final Settings settings;
    private final Context pi4j;
    private final Clock clock;
    private final BeamCounter counter;
    private volatile SourceThread checker;
    private volatile String problem;

    /** @param pi4j the Pi4J context (gpiod on a Pi, the mock plugin in tests) */
    public GpioDoorCounter(Settings settings, Context pi4j, Clock clock) {
        this.settings = settings;
        this.pi4j = pi4j;
        this.clock = clock;
        this.counter = new BeamCounter(settings.door(),
                new BeamCounter.Settings(settings.debounce(), settings.minGap(), settings.maxTransit(), settings.stuckAfter()));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String problem() {
        return problem;
    }

    /** The Pi4J id of a beam's input, e.g. {@code door-main-outer}. */
    public static String inputId(String door, BeamCounter.Beam beam) {
        return "door-" + door + "-" + beam.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public void start(ObservationSink sink) {
        try {
            listen(BeamCounter.Beam.OUTER, settings.outer(), sink);
            listen(BeamCounter.Beam.INNER, settings.inner(), sink);
        } catch (RuntimeException e) {
            problem = "cannot open the door counter's GPIO inputs: " + Errors.describe(e);
            return;
        }
        checker = SourceThread.start("source-gpio-door", () -> {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(settings.check().toMillis());
                List<Observation> faults;
                synchronized (counter) {
                    faults = counter.check(clock.instant());
                }
                hand(faults, sink);
            }
        });
    }

    private void listen(BeamCounter.Beam beam, Beam pin, ObservationSink sink) {
        DigitalInput input = pi4j.create(DigitalInput.newConfigBuilder(pi4j)
                .id(inputId(settings.door(), beam))
                .name(settings.door() + " " + beam.name().toLowerCase(java.util.Locale.ROOT) + " beam")
                .address(pin.pin())
                .pull(pull(pin.pull()))
                .debounce(settings.debounce().toNanos() / 1_000, TimeUnit.MICROSECONDS)
                .build());
        input.addListener(event -> {
            boolean broken = (event.state() == DigitalState.HIGH) == pin.brokenWhenHigh();
            List<Observation> out;
            synchronized (counter) {
                out = counter.edge(beam, broken, clock.instant());
            }
            try {
                hand(out, sink);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static PullResistance pull(String pull) {
        return switch (pull == null ? "up" : pull) {
            case "up" -> PullResistance.PULL_UP;
            case "down" -> PullResistance.PULL_DOWN;
            default -> PullResistance.OFF;
        };
    }

    private static void hand(List<Observation> observations, ObservationSink sink) throws InterruptedException {
        for (Observation o : observations) {
            sink.accept(o);
        }
    }

    @Override
    public void close() {
        SourceThread t = checker;
        if (t != null) {
            t.stop();
        }
    }
}
