package io.storegw.gateway.pos;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * The data of {@code pos.transaction.completed}: one sale or return, with no personal data.
 *
 * @param sequenceNumber the till's number for it, or null when the POS has none
 * @param transactionId  the POS vendor's id for it, or null (POSLog)
 * @param beginTime  when the till began it, or null when the till does not say
 * @param total      what the customer paid (negative for a refund)
 * @param net        total before tax, or null; {@code tax} and {@code discount} likewise
 * @param loyaltyRef a keyed hash of the loyalty number (never the number), or null without a card or when {@code member} is set
 * @param member     the registered member whose card it was, or null
 */
public record TransactionCompleted(String store, String workstation, LocalDate businessDay, Long sequenceNumber,
                                   String transactionId, Instant beginTime, Instant endTime, String kind, String currency, BigDecimal total,
                                   BigDecimal net, BigDecimal tax, BigDecimal discount, List<Line> lines,
                                   List<Tender> tenders, List<Reward> rewards, String loyaltyRef, String member,
                                   String sourceFormat) {

    /** One line item; {@code gtin} is null unless the till marked the item id as a GTIN. */
    public record Line(String itemId, String gtin, BigDecimal quantity, BigDecimal amount) {
    }

    /** One tender: its type as the till names it, and the amount. */
    public record Tender(String type, BigDecimal amount) {
    }

    /** A loyalty reward: the promotion and, when the till states one, its amount. */
    public record Reward(String promotionId, BigDecimal amount) {
    }
}
