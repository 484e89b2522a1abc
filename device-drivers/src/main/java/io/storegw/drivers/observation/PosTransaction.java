package io.storegw.drivers.observation;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A completed sale or return as a till reported it.
 *
 * @param loyaltyNumber the loyalty card number as the till saw it; the gateway replaces it with a
 *                      pseudonym before anything is published
 */
public record PosTransaction(Instant at, String workstationId, LocalDate businessDay, long sequenceNumber,
                             Kind kind, String currency, BigDecimal total, List<Line> lines,
                             Optional<String> loyaltyNumber) implements Observation {

    /** Sale or return. */
    public enum Kind { SALE, RETURN }

    /** One line item: quantity is negative on returns. */
    public record Line(String itemId, BigDecimal quantity, BigDecimal amount) {
        public Line {
            Objects.requireNonNull(itemId, "itemId");
            Objects.requireNonNull(quantity, "quantity");
            Objects.requireNonNull(amount, "amount");
        }
    }

    public PosTransaction {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(workstationId, "workstationId");
        Objects.requireNonNull(businessDay, "businessDay");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(total, "total");
        lines = List.copyOf(lines);
        Objects.requireNonNull(loyaltyNumber, "loyaltyNumber");
    }
}
