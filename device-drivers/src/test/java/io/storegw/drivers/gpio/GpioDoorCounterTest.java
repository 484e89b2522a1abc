package io.storegw.drivers.gpio;

import static org.assertj.core.api.Assertions.assertThat;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import io.storegw.drivers.observation.DeviceStatus;
import io.storegw.drivers.observation.DoorCrossing;
import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.source.RecordingSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The door counter on Pi4J's mock GPIO plugin, driven with realistic timings: receivers read high
 * while their beam is broken; the beams are 15 cm apart, so a walker breaks the second one about
 * 150-250 ms after the first and each beam stays broken 300-400 ms.
 */
class GpioDoorCounterTest {

    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = T0;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final TestClock clock = new TestClock();
    final RecordingSink sink = new RecordingSink();
    Context pi4j;
    GpioDoorCounter counter;
    MockDigitalInput outer;
    MockDigitalInput inner;

    @BeforeEach
    void start() {
        pi4j = Pi4J.newContextBuilder().add(MockDigitalInputProvider.newInstance()).build();
        counter = new GpioDoorCounter(new GpioDoorCounter.Settings("main", new GpioDoorCounter.Beam(17, true, "up"),
                new GpioDoorCounter.Beam(27, true, "up"), Duration.ofMillis(20), Duration.ofMillis(150), Duration.ofSeconds(2),
                Duration.ofSeconds(10), Duration.ofHours(1)), pi4j, clock);
        counter.start(sink);
        assertThat(counter.problem()).isNull();
        outer = pi4j.registry().get(GpioDoorCounter.inputId("main", BeamCounter.Beam.OUTER), MockDigitalInput.class);
        inner = pi4j.registry().get(GpioDoorCounter.inputId("main", BeamCounter.Beam.INNER), MockDigitalInput.class);
    }

    @AfterEach
    void stop() throws Exception {
        counter.close();
        pi4j.shutdown();
    }

    /** At {@code ms} after T0, the beam becomes broken (true) or clear. */
    void at(long ms, MockDigitalInput beam, boolean broken) {
        clock.now = T0.plusMillis(ms);
        beam.mockState(broken ? DigitalState.HIGH : DigitalState.LOW);
    }

    List<DoorCrossing.Direction> crossings() {
        return sink.taken.stream().filter(DoorCrossing.class::isInstance).map(o -> ((DoorCrossing) o).direction()).toList();
    }

    /** One person walking in (street beam first) starting at {@code t}. */
    void walkIn(long t) {
        at(t, outer, true);
        at(t + 180, inner, true);
        at(t + 350, outer, false);
        at(t + 530, inner, false);
    }

    void walkOut(long t) {
        at(t, inner, true);
        at(t + 200, outer, true);
        at(t + 380, inner, false);
        at(t + 590, outer, false);
    }

    @Test
    void peopleWalkingInAndOut() {
        walkIn(0);
        walkIn(2_000);
        walkOut(4_000);
        walkIn(6_000);
        walkOut(9_000);
        assertThat(crossings()).containsExactly(DoorCrossing.Direction.IN, DoorCrossing.Direction.IN, DoorCrossing.Direction.OUT,
                DoorCrossing.Direction.IN, DoorCrossing.Direction.OUT);
        assertThat(sink.taken).first().isEqualTo(new DoorCrossing(T0.plusMillis(180), "main", DoorCrossing.Direction.IN));
    }

    @Test
    void twoPeopleCloseTogetherCountAsTwo() {
        // the second breaks the street beam while the first is still in the store beam
        at(0, outer, true);
        at(170, inner, true);
        at(330, outer, false);
        at(420, outer, true);   // second person
        at(510, inner, false);  // first person through
        at(600, inner, true);   // second person reaches the store beam
        at(760, outer, false);
        at(930, inner, false);
        assertThat(crossings()).containsExactly(DoorCrossing.Direction.IN, DoorCrossing.Direction.IN);
    }

    @Test
    void chatterTurningBackAndATooQuickRepeatAreNotCounted() {
        // a flickering receiver: clear and broken again within the debounce is one break
        at(0, outer, true);
        at(60, outer, false);
        at(70, outer, true);
        at(200, inner, true);
        at(260, inner, false);
        at(265, inner, true);   // chatter on the store beam: not a new break
        at(400, outer, false);
        at(560, inner, false);
        // someone steps into the door and turns back: the store beam never follows
        at(3_000, outer, true);
        at(3_400, outer, false);
        at(6_000, inner, true); // much later, someone walks out: a new crossing, not the stale street break's
        at(6_200, outer, true);
        at(6_400, inner, false);
        at(6_600, outer, false);
        assertThat(crossings()).containsExactly(DoorCrossing.Direction.IN, DoorCrossing.Direction.OUT);
    }

    @Test
    void aBlockedBeamIsAFaultUntilItClears() {
        BeamCounter logic = new BeamCounter("main", new BeamCounter.Settings(Duration.ofMillis(20), Duration.ofMillis(150),
                Duration.ofSeconds(2), Duration.ofSeconds(10)));
        assertThat(logic.edge(BeamCounter.Beam.OUTER, true, T0)).isEmpty();
        assertThat(logic.check(T0.plusSeconds(9))).isEmpty();
        assertThat(logic.check(T0.plusSeconds(10))).containsExactly(
                new DeviceStatus(T0.plusSeconds(10), "main/outer-beam", DeviceStatus.State.FAULT, "beam blocked for 10 s"));
        assertThat(logic.check(T0.plusSeconds(11))).as("reported once").isEmpty();
        // while blocked, people crossing the other beam are not counted in a direction we cannot know
        assertThat(logic.edge(BeamCounter.Beam.INNER, true, T0.plusSeconds(12))).isEmpty();
        assertThat(logic.edge(BeamCounter.Beam.INNER, false, T0.plusSeconds(12).plusMillis(300))).isEmpty();
        List<Observation> cleared = logic.edge(BeamCounter.Beam.OUTER, false, T0.plusSeconds(20));
        assertThat(cleared).containsExactly(new DeviceStatus(T0.plusSeconds(20), "main/outer-beam", DeviceStatus.State.ONLINE,
                "beam clear again"));
        // and counting resumes
        assertThat(logic.edge(BeamCounter.Beam.OUTER, true, T0.plusSeconds(30))).isEmpty();
        assertThat(logic.edge(BeamCounter.Beam.INNER, true, T0.plusSeconds(30).plusMillis(200)))
                .containsExactly(new DoorCrossing(T0.plusSeconds(30).plusMillis(200), "main", DoorCrossing.Direction.IN));
    }
}
