package io.storegw.gateway.devices;

import static org.assertj.core.api.Assertions.assertThat;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import io.storegw.drivers.gpio.GpioDoorCounter;
import io.storegw.drivers.observation.DoorCrossing;
import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.testing.Await;
import io.storegw.gateway.config.ConfigException;
import io.storegw.gateway.config.ConfigLoader;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GPIO wiring from config, on Pi4J's mock plugin: the door counter counts, the light shows the state, the signal plays. */
class GpioDevicesTest {

    static final String GPIO = """
            gpio:
              doorCounter:
                door: front
                outer: {pin: 17}
                inner: {pin: 27}
              statusLight:
                pin: 22
              signal:
                pin: 23
                pickup: [100ms, 100ms, 100ms]
            """;

    @TempDir
    Path dir;

    GatewayConfig config(String gpio) throws ConfigException {
        return ConfigLoader.parse("gw.yaml", "tenant: a\nstore: s1\ngateway: g1\nuplink:\n  broker: tcp://127.0.0.1:1\n" + gpio, dir);
    }

    @Test
    void configWiresTheCounterTheLightAndTheSignal() throws Exception {
        Context pi4j = Pi4J.newContextBuilder().add(MockDigitalInputProvider.newInstance(), MockDigitalOutputProvider.newInstance()).build();
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
        try (GpioDevices gpio = GpioDevices.open(config(GPIO).gpio(), pi4j, clock)) {
            assertThat(gpio.problem()).isNull();
            List<Observation> seen = new CopyOnWriteArrayList<>();
            gpio.doorCounter().orElseThrow().start(o -> {
                seen.add(o);
                return CompletableFuture.completedFuture(null);
            });
            MockDigitalInput outer = pi4j.registry().get("door-front-outer", MockDigitalInput.class);
            MockDigitalInput inner = pi4j.registry().get("door-front-inner", MockDigitalInput.class);
            outer.mockState(DigitalState.HIGH); // broken when high, the default
            clock.advance(Duration.ofMillis(200));
            inner.mockState(DigitalState.HIGH);
            assertThat(seen).containsExactly(new DoorCrossing(clock.instant(), "front", DoorCrossing.Direction.IN));

            DigitalOutput light = pi4j.registry().get("status-light", DigitalOutput.class);
            gpio.startStatusLight(() -> null, () -> true, () -> 0);
            Await.until(Duration.ofSeconds(5), "the light steady on", () -> light.state() == DigitalState.HIGH);

            DigitalOutput signal = pi4j.registry().get("signal", DigitalOutput.class);
            assertThat(signal.state()).isEqualTo(DigitalState.LOW);
            assertThat(gpio.signalPickup()).isTrue();
            Await.until(Duration.ofSeconds(5), "the buzzer sounding", () -> signal.state() == DigitalState.HIGH);
            clock.advance(Duration.ofSeconds(1)); // the pattern is over
            Await.until(Duration.ofSeconds(5), "the buzzer quiet again", () -> signal.state() == DigitalState.LOW);
        }
    }

    @Test
    void theLightShowsTheWorstState() {
        assertThat(StatusLight.state(true, false, 0, 1_000)).isEqualTo(StatusLight.State.FAULT);
        assertThat(StatusLight.state(false, false, 0, 1_000)).isEqualTo(StatusLight.State.UPLINK_DOWN);
        assertThat(StatusLight.state(false, true, 400, 1_000)).isEqualTo(StatusLight.State.BACKLOG);
        assertThat(StatusLight.state(false, true, 1_000, 400)).as("draining").isEqualTo(StatusLight.State.OK);
        assertThat(StatusLight.state(false, true, 3, 20)).as("a handful in flight").isEqualTo(StatusLight.State.OK);
    }

    /** A box without a GPIO chip (not a Pi, or the driver not loaded): one problem that says so, and Pi4J is not started. */
    @Test
    void withoutAGpioChipThePinsAreOffAndTheProblemSaysWhy(@TempDir Path dev) throws Exception {
        try (GpioDevices gpio = GpioDevices.open(config(GPIO).gpio(), Clock.systemUTC(), dev)) {
            assertThat(gpio.problem()).isEqualTo("GPIO unavailable: no " + dev.resolve("gpiochip*") + ": this is not a Pi, or its GPIO"
                    + " driver is not loaded; the door counter, status light and signal configured under gpio are off (storegw doctor)");
            assertThat(gpio.doorCounter()).isEmpty();
            assertThat(gpio.signalPickup()).isFalse();
        }
    }

    /** A Pi 5 with an older kernel has its header on gpiochip4 (gpiochip0..3 are other controllers): any chip counts. */
    @Test
    void everyGpioChipIsFoundNotOnlyTheFirst(@TempDir Path dev) throws Exception {
        for (String name : List.of("gpiochip4", "gpiomem0", "gpiochip0", "mem")) {
            Files.createFile(dev.resolve(name));
        }
        assertThat(GpioDevices.chips(dev)).containsExactly(dev.resolve("gpiochip0"), dev.resolve("gpiochip4"));
        assertThat(GpioDevices.chips(dev.resolve("absent"))).isEmpty();
    }

    @Test
    void nothingConfiguredStartsNoPi4jAndBadPinsAreConfigErrors() throws Exception {
        try (GpioDevices none = GpioDevices.open(config("").gpio(), Clock.systemUTC())) {
            assertThat(none.problem()).isNull();
            assertThat(none.doorCounter()).isEmpty();
            assertThat(none.signalPickup()).isFalse();
        }
        ConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class, () -> config("""
                gpio:
                  doorCounter:
                    outer: {pin: 17, brokenWhen: dark}
                    inner: {pin: 17}
                  statusLight: {pin: 40}
                  signal: {pin: 23, pickup: [100ms, 0ms]}
                """));
        assertThat(e.problems()).extracting(ConfigException.Problem::key).containsExactlyInAnyOrder("gpio.doorCounter.outer.brokenWhen",
                "gpio.doorCounter.inner.pin", "gpio.statusLight.pin", "gpio.signal.pickup");
        assertThat(e.getMessage()).contains("GPIO 17 is already used", "from 2 to 27");
    }
}
