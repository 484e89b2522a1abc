package io.storegw.gateway.pos;

import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.observation.PosTransaction;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.members.MemberDirectory;
import io.storegw.gateway.privacy.KeyedHash;
import java.util.Locale;

/**
 * Turns each till transaction into one {@code pos.transaction.completed}: a loyalty card of a registered
 * member becomes the member's pseudonym, any other card its keyed hash.
 */
public final class PosTransactionHandler implements ObservationHandler {

    private final String store;
    private final KeyedHash keyedHash;
    private final MemberDirectory members;

    public PosTransactionHandler(String store, KeyedHash keyedHash, MemberDirectory members) {
        this.store = store;
        this.keyedHash = keyedHash;
        this.members = members;
    }

    @Override
    public void onObservation(Observation observation, Emitter out) {
        if (!(observation instanceof PosTransaction t)) {
            return;
        }
        String card = t.loyaltyNumber().map(keyedHash::loyalty).orElse(null);
        String member = members.byLoyaltyHash(card);
        String loyaltyRef = member == null ? card : null;
        var data = new TransactionCompleted(store, t.workstationId(), t.businessDay(), t.sequenceNumber(), t.transactionId(), t.begin(), t.at(),
                t.kind().name().toLowerCase(Locale.ROOT), t.currency(), t.total(), t.totals().net(), t.totals().tax(),
                t.totals().discount(),
                t.lines().stream().map(l -> new TransactionCompleted.Line(l.itemId(), l.gtin(), l.quantity(), l.amount())).toList(),
                t.tenders().stream().map(x -> new TransactionCompleted.Tender(x.type(), x.amount())).toList(),
                t.rewards().stream().map(x -> new TransactionCompleted.Reward(x.promotionId(), x.amount())).toList(),
                loyaltyRef, member, t.sourceFormat());
        String subject = subject(t);
        if (member != null) {
            out.emitAbout(member, EventCatalogue.POS_TRANSACTION_COMPLETED, subject, data);
        } else {
            out.emit(EventCatalogue.POS_TRANSACTION_COMPLETED, subject, card == null ? DataClass.ANONYMOUS : DataClass.PSEUDONYMOUS, data);
        }
    }

    /** {@code till/{workstation}/{businessDay}/{reference}}: the subject a transaction is published under, for events that name it. */
    public static String subject(PosTransaction t) {
        return "till/" + t.workstationId() + "/" + t.businessDay() + "/" + t.reference();
    }
}
