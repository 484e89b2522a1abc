package io.storegw.gateway.pos;

import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.observation.PosTransaction;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.privacy.KeyedHash;
import java.util.Locale;

/** Turns each till transaction into one {@code pos.transaction.completed}, loyalty number replaced by its keyed hash. */
public final class PosTransactionHandler implements ObservationHandler {

    private final String store;
    private final KeyedHash keyedHash;

    public PosTransactionHandler(String store, KeyedHash keyedHash) {
        this.store = store;
        this.keyedHash = keyedHash;
    }

    @Override
    public void onObservation(Observation observation, Emitter out) {
        if (!(observation instanceof PosTransaction t)) {
            return;
        }
        String loyaltyRef = t.loyaltyNumber().map(n -> keyedHash.of("loyalty", n)).orElse(null);
        var data = new TransactionCompleted(store, t.workstationId(), t.businessDay(), t.sequenceNumber(), t.transactionId(), t.begin(), t.at(),
                t.kind().name().toLowerCase(Locale.ROOT), t.currency(), t.total(), t.totals().net(), t.totals().tax(),
                t.totals().discount(),
                t.lines().stream().map(l -> new TransactionCompleted.Line(l.itemId(), l.gtin(), l.quantity(), l.amount())).toList(),
                t.tenders().stream().map(x -> new TransactionCompleted.Tender(x.type(), x.amount())).toList(),
                t.rewards().stream().map(x -> new TransactionCompleted.Reward(x.promotionId(), x.amount())).toList(),
                loyaltyRef, t.sourceFormat());
        out.emit(EventCatalogue.POS_TRANSACTION_COMPLETED,
                "till/" + t.workstationId() + "/" + t.businessDay() + "/" + t.reference(),
                loyaltyRef == null ? DataClass.ANONYMOUS : DataClass.PSEUDONYMOUS, data);
    }
}
