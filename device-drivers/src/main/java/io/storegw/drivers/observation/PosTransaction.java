package io.storegw.drivers.observation;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A completed sale or return as a till reported it. Holds only what the gateway may publish plus the
 * loyalty number (which the gateway replaces with a keyed hash): parsers never copy names, addresses,
 * birth data or card numbers into it.
 *
 * @param at            when the transaction ended
 * @param begin         when it began, or {@code null} when the till does not say
 * @param storeId       the store id the till wrote into the transaction, or {@code null}
 * @param loyaltyNumber the loyalty card number as the till saw it
 * @param sourceFormat  where it came from: {@code poslog-2.1}, {@code poslog-6.0}, {@code square}, {@code virtual}, ...
 */
public record PosTransaction(Instant at, Instant begin, String storeId, String workstationId, LocalDate businessDay,
                             long sequenceNumber, Kind kind, String currency, Totals totals, List<Line> lines,
                             List<Tender> tenders, List<Reward> rewards, Optional<String> loyaltyNumber,
                             String sourceFormat) implements Observation {

    /** Sale or return. */
    public enum Kind { SALE, RETURN }

    /**
     * Totals as the till computed them.
     *
     * @param grand    what the customer paid (negative for a refund)
     * @param net      before tax, or {@code null} when the till does not say
     * @param tax      or {@code null}
     * @param discount or {@code null}
     */
    public record Totals(BigDecimal grand, BigDecimal net, BigDecimal tax, BigDecimal discount) {
        public Totals {
            Objects.requireNonNull(grand, "grand");
        }

        public static Totals of(BigDecimal grand) {
            return new Totals(grand, null, null, null);
        }
    }

    /**
     * One line item: quantity and amount are negative on returns.
     *
     * @param gtin the GTIN when the till marked the item id as one, or {@code null}
     */
    public record Line(String itemId, String gtin, BigDecimal quantity, BigDecimal amount) {
        public Line {
            Objects.requireNonNull(itemId, "itemId");
            Objects.requireNonNull(quantity, "quantity");
            Objects.requireNonNull(amount, "amount");
        }
    }

    /** One tender (cash, card, voucher, ...) and its amount; never a card number. */
    public record Tender(String type, BigDecimal amount) {
        public Tender {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(amount, "amount");
        }
    }

    /**
     * A loyalty reward applied to the transaction.
     *
     * @param amount the reward's amount as the till states it, or {@code null}
     */
    public record Reward(String promotionId, BigDecimal amount) {
        public Reward {
            Objects.requireNonNull(promotionId, "promotionId");
        }
    }

    public PosTransaction {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(workstationId, "workstationId");
        Objects.requireNonNull(businessDay, "businessDay");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(totals, "totals");
        lines = List.copyOf(lines);
        tenders = List.copyOf(tenders);
        rewards = List.copyOf(rewards);
        Objects.requireNonNull(loyaltyNumber, "loyaltyNumber");
        Objects.requireNonNull(sourceFormat, "sourceFormat");
    }

    /**
     * The till's own identity of the transaction: store (as the till wrote it), workstation, business day
     * and sequence number. The till numbers its transactions; a re-send carries the same four.
     */
    @Override
    public String idempotencyKey() {
        return "pos/" + (storeId == null ? "" : storeId) + "/" + workstationId + "/" + businessDay + "/" + sequenceNumber;
    }

    /** What the customer paid. */
    public BigDecimal total() {
        return totals.grand();
    }
}
