package io.storegw.drivers.gpio;

import io.storegw.drivers.observation.DeviceStatus;
import io.storegw.drivers.observation.DoorCrossing;
import io.storegw.drivers.observation.Observation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Two infrared beams across a door, one on the street side and one on the store side, turned into
 * people walking in and out. A person breaks one beam, then the other: the second break completes a
 * crossing in the direction of the first, and uses both breaks up, so two people close together (the
 * second breaking the street beam while the first is still in the store beam) count as two. A break
 * the other beam does not follow within {@code maxTransit} is someone who turned back. A beam broken
 * for {@code stuckAfter} is a fault (a box left in the door, a dirty lens) until it clears.
 *
 * <p>Pure logic, driven by edges and a clock, so it is tested with exact timings; not thread-safe.
 */
final class BeamCounter {

    /** Which beam: outside (street side) or inside (store side). */
    enum Beam { OUTER, INNER }

    /**
     * @param debounce   a beam that clears and breaks again within this is one break (chatter, a swinging bag)
     * @param minGap     a second crossing in the same direction within this is not counted
     * @param maxTransit the longest a person takes from one beam to the other
     * @param stuckAfter a beam broken this long is a fault
     */
    record Settings(Duration debounce, Duration minGap, Duration maxTransit, Duration stuckAfter) {
    }

    private static final class BeamState {
        boolean broken;
        Instant brokenSince;
        Instant lastClear;
        Instant pending; // a break not yet used by a crossing
        boolean faulted;
    }

    private final String door;
    private final Settings settings;
    private final Map<Beam, BeamState> beams = new EnumMap<>(Beam.class);
    private final Map<DoorCrossing.Direction, Instant> lastCounted = new EnumMap<>(DoorCrossing.Direction.class);

    BeamCounter(String door, Settings settings) {
        this.door = door;
        this.settings = settings;
        for (Beam b : Beam.values()) {
            beams.put(b, new BeamState());
        }
    }

    /** A beam changed: broken or clear. */
    List<Observation> edge(Beam beam, boolean broken, Instant at) {
        BeamState s = beams.get(beam);
        List<Observation> out = new ArrayList<>(1);
        if (!broken) {
            if (s.broken) {
                s.broken = false;
                s.lastClear = at;
                if (s.faulted) {
                    s.faulted = false;
                    out.add(new DeviceStatus(at, beamId(beam), DeviceStatus.State.ONLINE, "beam clear again"));
                }
            }
            return out;
        }
        if (s.broken) {
            return out;
        }
        s.broken = true;
        boolean chatter = s.lastClear != null && Duration.between(s.lastClear, at).compareTo(settings.debounce()) < 0;
        if (chatter) {
            return out; // the same break going on
        }
        s.brokenSince = at;
        BeamState other = beams.get(beam == Beam.OUTER ? Beam.INNER : Beam.OUTER);
        if (other.pending != null && Duration.between(other.pending, at).compareTo(settings.maxTransit()) <= 0) {
            other.pending = null;
            s.pending = null;
            DoorCrossing.Direction direction = beam == Beam.INNER ? DoorCrossing.Direction.IN : DoorCrossing.Direction.OUT;
            Instant previous = lastCounted.get(direction);
            if (previous == null || Duration.between(previous, at).compareTo(settings.minGap()) >= 0) {
                lastCounted.put(direction, at);
                out.add(new DoorCrossing(at, door, direction));
            }
        } else {
            s.pending = at;
        }
        return out;
    }

    /** Time passes: breaks nobody completed expire, and a beam broken too long becomes a fault. */
    List<Observation> check(Instant now) {
        List<Observation> out = new ArrayList<>(0);
        for (Map.Entry<Beam, BeamState> e : beams.entrySet()) {
            BeamState s = e.getValue();
            if (s.pending != null && Duration.between(s.pending, now).compareTo(settings.maxTransit()) > 0) {
                s.pending = null;
            }
            if (s.broken && !s.faulted && Duration.between(s.brokenSince, now).compareTo(settings.stuckAfter()) >= 0) {
                s.faulted = true;
                s.pending = null;
                out.add(new DeviceStatus(now, beamId(e.getKey()), DeviceStatus.State.FAULT,
                        "beam blocked for " + settings.stuckAfter().toSeconds() + " s"));
            }
        }
        return out;
    }

    private String beamId(Beam beam) {
        return door + "/" + beam.name().toLowerCase(java.util.Locale.ROOT) + "-beam";
    }
}
