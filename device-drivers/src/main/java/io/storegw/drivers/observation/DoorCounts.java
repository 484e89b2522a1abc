package io.storegw.drivers.observation;

import java.time.Instant;
import java.util.Objects;

/** People a counter saw pass a door since its previous report, in each direction. */
public record DoorCounts(Instant at, String doorId, long in, long out) implements Observation {

    public DoorCounts {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(doorId, "doorId");
        if (in < 0 || out < 0) {
            throw new IllegalArgumentException("counts cannot be negative: in " + in + ", out " + out);
        }
    }
}
