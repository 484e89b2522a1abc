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
 * @param sequenceNumber the till's number for the transaction, or {@code null} when it has none (cloud POS)
 * @param transactionId the POS vendor's own id for the transaction (order, payment, sale), or {@code null}
 * @param loyaltyNumber the loyalty card number as the till saw it
 * @param sourceFormat  where it came from: {@code poslog-2.1}, {@code poslog-6.0}, {@code square}, {@code virtual}, ...
 */
public record PosTransaction(Instant at, Instant begin, String storeId, String workstationId, LocalDate businessDay,
                             Long sequenceNumber, String transactionId, Kind kind, String currency, Totals totals, List<Line> lines,
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
        if (sequenceNumber == null && (transactionId == null || transactionId.isBlank())) {
            throw new IllegalArgumentException("a transaction needs a sequence number or the vendor's transaction id");
        }
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
     * The transaction's own identity, which a re-send carries again: the vendor's id within its format
     * when there is one (a webhook re-delivered, or the payment and the order of one sale), else store
     * (as the till wrote it), workstation, business day and sequence number.
     */
    @Override
    public String idempotencyKey() {
        if (transactionId != null) {
            return "pos/" + sourceFamily() + "/" + transactionId;
        }
        return "pos/" + (storeId == null ? "" : storeId) + "/" + workstationId + "/" + businessDay + "/" + sequenceNumber;
    }

    /** The source format without its version: {@code poslog-6.0} is {@code poslog}. */
    private String sourceFamily() {
        int dash = sourceFormat.indexOf('-');
        return dash < 0 ? sourceFormat : sourceFormat.substring(0, dash);
    }

    /** How the till names this transaction, for people: the sequence number, else the vendor's id. */
    public String reference() {
        return sequenceNumber != null ? sequenceNumber.toString() : transactionId;
    }

    /** What the customer paid. */
    public BigDecimal total() {
        return totals.grand();
    }
}
