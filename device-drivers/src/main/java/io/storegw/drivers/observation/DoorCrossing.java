package io.storegw.drivers.observation;

import java.time.Instant;
import java.util.Objects;

/** A person passing a door counter in one direction. */
public record DoorCrossing(Instant at, String doorId, Direction direction) implements Observation {

    /** Which way the person went. */
    public enum Direction { IN, OUT }

    public DoorCrossing {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(doorId, "doorId");
        Objects.requireNonNull(direction, "direction");
    }
}
