package io.storegw.drivers.pos;

import io.storegw.drivers.observation.PosTransaction;
import java.util.List;

/**
 * What one till document held: the sales and returns to publish, and what was read but deliberately
 * not counted (control transactions, training mode, cancelled orders, ...), each with the reason.
 */
public record PosDocument(List<PosTransaction> transactions, List<Skipped> skipped) {

    public PosDocument {
        transactions = List.copyOf(transactions);
        skipped = List.copyOf(skipped);
    }

    /** A transaction that was read and deliberately not turned into a sale or return, and why. */
    public record Skipped(String transaction, String reason) {
    }
}
