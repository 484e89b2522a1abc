package io.storegw.gateway.devices;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalOutputProvider;
import io.storegw.drivers.gpio.Blink;
import io.storegw.drivers.gpio.GpioDoorCounter;
import io.storegw.drivers.gpio.GpioOutput;
import io.storegw.drivers.source.ObservationSource;
import io.storegw.gateway.config.GatewayConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.tinylog.Logger;

/**
 * The Pi's own pins, as config wires them: the door counter (a source), the status light and the
 * signal output. Pi4J is only started when one of them is configured; a box without GPIO (a dev
 * machine, a broken chip) reports the problem and the gateway goes on without them.
 */
public final class GpioDevices implements AutoCloseable {

    private final Context pi4j;
    private final GpioDoorCounter doorCounter;
    private final GpioOutput statusOutput;
    private final StatusLight.Patterns statusPatterns;
    private final GpioOutput signal;
    private final Blink pickup;
    private final Clock clock;
    private ScheduledExecutorService statusTicker;
    private volatile String problem;

    private GpioDevices(Context pi4j, GpioDoorCounter doorCounter, GpioOutput statusOutput, StatusLight.Patterns statusPatterns,
                        GpioOutput signal, Blink pickup, Clock clock, String problem) {
        this.pi4j = pi4j;
        this.doorCounter = doorCounter;
        this.statusOutput = statusOutput;
        this.statusPatterns = statusPatterns;
        this.signal = signal;
        this.pickup = pickup;
        this.clock = clock;
        this.problem = problem;
    }

    /** Opens what {@code config} wires, on the Pi's gpiod. */
    public static GpioDevices open(GatewayConfig.Gpio config, Clock clock) {
        return open(config, clock, Path.of("/dev"));
    }

    /** The same, with the GPIO character devices looked for in {@code dev}. */
    static GpioDevices open(GatewayConfig.Gpio config, Clock clock, Path dev) {
        if (!config.used()) {
            return new GpioDevices(null, null, null, null, null, null, clock, null);
        }
        if (chips(dev).isEmpty()) {
            // Pi4J would start anyway, log board-detection errors, and fail each pin with "No gpio chip yet initialized!"
            return new GpioDevices(null, null, null, null, null, null, clock, "GPIO unavailable: no " + dev.resolve("gpiochip*")
                    + ": this is not a Pi, or its GPIO driver is not loaded; the door counter, status light and signal configured"
                    + " under gpio are off (storegw doctor)");
        }
        Context pi4j;
        try {
            pi4j = Pi4J.newContextBuilder().add(GpioDDigitalInputProvider.newInstance(), GpioDDigitalOutputProvider.newInstance()).build();
        } catch (RuntimeException | LinkageError e) {
            return new GpioDevices(null, null, null, null, null, null, clock, "GPIO unavailable (gpiod): " + e.getMessage());
        }
        return open(config, pi4j, clock);
    }

    /** Opens what {@code config} wires on {@code pi4j} (tests pass Pi4J's mock plugin). */
    public static GpioDevices open(GatewayConfig.Gpio config, Context pi4j, Clock clock) {
        StringBuilder problems = new StringBuilder();
        GpioDoorCounter door = null;
        var d = config.doorCounter();
        if (d != null && d.enabled()) {
            door = new GpioDoorCounter(new GpioDoorCounter.Settings(d.door(), beam(d.outer()), beam(d.inner()), d.debounce(),
                    d.minGap(), d.maxTransit(), d.stuckAfter(), Duration.ofSeconds(1)), pi4j, clock);
        }
        GpioOutput status = null;
        StatusLight.Patterns patterns = null;
        var s = config.statusLight();
        if (s != null) {
            try {
                status = new GpioOutput(pi4j, "status-light", s.pin(), s.activeHigh(), clock).start();
                patterns = new StatusLight.Patterns(s.ok() == null ? Blink.STEADY : new Blink(s.ok(), true),
                        new Blink(s.backlog(), true), new Blink(s.uplinkDown(), true), new Blink(s.fault(), true));
            } catch (RuntimeException e) {
                problems.append("status light on GPIO ").append(s.pin()).append(": ").append(e.getMessage());
            }
        }
        GpioOutput signal = null;
        Blink pickup = null;
        var g = config.signal();
        if (g != null) {
            try {
                signal = new GpioOutput(pi4j, "signal", g.pin(), g.activeHigh(), clock).start();
                pickup = new Blink(g.pickup(), false);
            } catch (RuntimeException e) {
                problems.append(problems.length() == 0 ? "" : "; ").append("signal on GPIO ").append(g.pin()).append(": ").append(e.getMessage());
            }
        }
        return new GpioDevices(pi4j, door, status, patterns, signal, pickup, clock, problems.length() == 0 ? null : problems.toString());
    }

    /**
     * The GPIO character devices in {@code dev}, in name order; empty when there are none. The header's pins are on
     * gpiochip0 on most Pis but gpiochip4 on a Pi 5 with an older kernel, and Pi4J finds the right one by its label.
     */
    public static List<Path> chips(Path dev) {
        try (Stream<Path> files = Files.list(dev)) {
            return files.filter(f -> f.getFileName().toString().startsWith("gpiochip")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static GpioDoorCounter.Beam beam(GatewayConfig.Beam b) {
        return new GpioDoorCounter.Beam(b.pin(), b.brokenWhen().equals("high"), b.pull());
    }

    /** The door counter, to start with the other sources. */
    public Optional<ObservationSource> doorCounter() {
        return Optional.ofNullable(doorCounter);
    }

    /** Sounds the signal output's pickup pattern once; false when no signal is wired. */
    public boolean signalPickup() {
        if (signal == null) {
            return false;
        }
        signal.play(pickup);
        return true;
    }

    /** Drives the status light once a second from the gateway's state, when one is wired. */
    public void startStatusLight(Supplier<String> faults, BooleanSupplier connected, LongSupplier rows) {
        if (statusOutput == null) {
            return;
        }
        StatusLight light = new StatusLight(statusOutput, statusPatterns, faults, connected, rows);
        statusTicker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "status-light");
            t.setDaemon(true);
            return t;
        });
        statusTicker.scheduleAtFixedRate(() -> {
            try {
                light.update(clock.instant());
            } catch (RuntimeException e) {
                Logger.warn(e, "Status light update failed");
            }
        }, 0, 1, TimeUnit.SECONDS);
    }

    /** Why GPIO is not (all) working, or null. */
    public String problem() {
        return problem;
    }

    @Override
    public void close() {
        if (statusTicker != null) {
            statusTicker.shutdownNow();
        }
        Stream.of(statusOutput, signal).filter(Objects::nonNull).forEach(GpioOutput::close);
        if (pi4j != null) {
            try {
                pi4j.shutdown();
            } catch (RuntimeException e) {
                Logger.warn(e, "Pi4J shutdown");
            }
        }
    }
}
