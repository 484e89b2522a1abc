package io.storegw.drivers.gpio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Patterns on a mock GPIO output, ticked by the test's clock; the pin's level is read back from the mock. */
class GpioOutputTest {

    final GpioDoorCounterTest.TestClock clock = new GpioDoorCounterTest.TestClock();
    final Context pi4j = Pi4J.newContextBuilder().add(MockDigitalOutputProvider.newInstance()).build();

    @AfterEach
    void stop() {
        pi4j.shutdown();
    }

    static Blink ms(boolean repeat, long... steps) {
        List<Duration> d = new ArrayList<>();
        for (long s : steps) {
            d.add(Duration.ofMillis(s));
        }
        return new Blink(d, repeat);
    }

    /** The pin's levels at each 50 ms tick from now for {@code millis}: 1 high, 0 low. */
    String levels(GpioOutput out, DigitalOutput pin, long millis) {
        StringBuilder s = new StringBuilder();
        for (long t = 0; t < millis; t += 50) {
            out.tick();
            s.append(pin.state() == DigitalState.HIGH ? '1' : '0');
            clock.now = clock.now.plusMillis(50);
        }
        return s.toString();
    }

    @Test
    void aStatusPatternRepeatsAndASignalPlaysOnceOverIt() {
        GpioOutput light = new GpioOutput(pi4j, "status-light", 22, true, clock);
        DigitalOutput pin = pi4j.registry().get("status-light", DigitalOutput.class);
        assertThat(levels(light, pin, 200)).isEqualTo("0000");
        light.show(ms(true, 100, 100));
        assertThat(levels(light, pin, 400)).isEqualTo("11001100");
        light.play(ms(false, 50, 50, 50));  // over the blinking
        assertThat(levels(light, pin, 300)).as("then the blinking, in its own phase").isEqualTo("101" + "011");
        light.show(Blink.STEADY);
        assertThat(levels(light, pin, 150)).isEqualTo("111");
        light.show(Blink.OFF);
        assertThat(levels(light, pin, 100)).isEqualTo("00");
    }

    @Test
    void activeLowOutputsAreInverted() {
        GpioOutput buzzer = new GpioOutput(pi4j, "signal", 23, false, clock);
        DigitalOutput pin = pi4j.registry().get("signal", DigitalOutput.class);
        assertThat(levels(buzzer, pin, 100)).isEqualTo("11");
        buzzer.play(ms(false, 100));
        assertThat(levels(buzzer, pin, 200)).isEqualTo("0011");
        assertThat(pin.state()).as("active low: off is high").isEqualTo(DigitalState.HIGH);
    }

    @Test
    void patternsAreChecked() {
        assertThat(ms(false, 100, 50).onAt(Duration.ofMillis(120))).isFalse();
        assertThat(ms(false, 100, 50).onAt(Duration.ofMillis(500))).isFalse();
        assertThat(ms(true, 100, 50).onAt(Duration.ofMillis(160))).isTrue();
        assertThat(Blink.OFF.onAt(Duration.ZERO)).isFalse();
        assertThatThrownBy(() -> ms(false, 100, 0)).hasMessageContaining("longer than zero");
    }
}
