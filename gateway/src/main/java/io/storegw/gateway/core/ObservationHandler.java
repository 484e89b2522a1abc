package io.storegw.gateway.core;

import io.storegw.drivers.observation.Observation;
import java.time.Instant;

/**
 * One step of the core pipeline with one job (footfall, presence counts, POS, ...). Handlers run only
 * on the core thread, so they keep plain fields and take no locks.
 */
public interface ObservationHandler {

    /** Handles one observation; handlers ignore the kinds that are not theirs. */
    void onObservation(Observation observation, Emitter out);

    /** Called at every tick of the core loop with the core clock's time, for buckets and timeouts. */
    default void onTick(Instant now, Emitter out) {
    }

    /**
     * Called before a tick when the clock was set back since the last one (NTP correcting a clock that ran
     * ahead): what waits for a time now further away starts again from {@code now}.
     */
    default void onClockSetBack(Instant now) {
    }

    /** Applies an instruction; handlers ignore the kinds that are not theirs. */
    default void onInstruction(Instruction instruction, Emitter out) {
    }
}
