package io.storegw.gateway.journey;

import io.storegw.gateway.core.Instruction;
import java.util.concurrent.CompletableFuture;

/** Central's change to a click & collect order: added or updated ({@code pickup} set), or removed. */
public sealed interface PickupChange extends Instruction {

    /** An order to expect; {@code ready} once it waits at the store. */
    record Upsert(PickupDesk.Pickup pickup) implements PickupChange {
    }

    /** An order no longer expected (collected elsewhere, cancelled); {@code held} says, once applied, whether it was. */
    record Remove(String orderId, CompletableFuture<Boolean> held) implements PickupChange {

        public Remove(String orderId) {
            this(orderId, new CompletableFuture<>());
        }
    }
}
