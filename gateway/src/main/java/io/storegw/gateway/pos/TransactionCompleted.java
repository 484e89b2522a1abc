package io.storegw.gateway.pos;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * The data of {@code pos.transaction.completed}: one sale or return, with no personal data.
 *
 * @param loyaltyRef a keyed hash of the loyalty number (never the number), or null without a card
 */
public record TransactionCompleted(String store, String workstation, LocalDate businessDay, long sequenceNumber,
                                   Instant endTime, String kind, String currency, BigDecimal total, List<Line> lines,
                                   String loyaltyRef, String sourceFormat) {

    /** One line item. */
    public record Line(String itemId, BigDecimal quantity, BigDecimal amount) {
    }
}
