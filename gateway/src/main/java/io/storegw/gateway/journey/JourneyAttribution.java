package io.storegw.gateway.journey;

import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.observation.PosTransaction;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.members.MemberDirectory;
import io.storegw.gateway.pos.PosTransactionHandler;
import io.storegw.gateway.presence.ZoneTracker;
import io.storegw.gateway.privacy.KeyedHash;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Ties a member's purchase to their visit: a transaction with a registered member's card, while their
 * visit is open or within the attribution window after it ended, becomes one {@code journey.attributed}.
 * A transaction without a card is never attributed to anyone: nobody is guessed.
 */
public final class JourneyAttribution implements ObservationHandler {

    /**
     * The data of {@code journey.attributed}.
     *
     * @param transaction the {@code pos.transaction.completed} subject, so central joins the two
     * @param zones       the visit's zones in the order first entered, with the time spent in each until the checkout
     */
    public record JourneyAttributed(String member, String visitId, boolean visitOpen, Instant enteredAt, Instant checkoutAt,
                                    long entryToCheckoutSeconds, List<ZoneTracker.ZoneDwell> zones, String transaction,
                                    String kind, String currency, BigDecimal total) {
    }

    private final ZoneTracker tracker;
    private final KeyedHash keyedHash;
    private final MemberDirectory members;
    private final Duration window;

    /** @param window a visit that ended at most this long before the purchase still counts */
    public JourneyAttribution(ZoneTracker tracker, KeyedHash keyedHash, MemberDirectory members, Duration window) {
        this.tracker = tracker;
        this.keyedHash = keyedHash;
        this.members = members;
        this.window = window;
    }

    @Override
    public void onObservation(Observation observation, Emitter out) {
        if (!(observation instanceof PosTransaction t) || t.loyaltyNumber().isEmpty()) {
            return;
        }
        String member = members.byLoyaltyHash(keyedHash.loyalty(t.loyaltyNumber().get()));
        ZoneTracker.VisitSoFar visit = member == null ? null : tracker.visitOf(member);
        if (visit == null || visit.startedAt().isAfter(t.at())
                || !visit.open() && visit.lastHeard().isBefore(t.at().minus(window))) {
            return;
        }
        out.emitAbout(member, EventCatalogue.JOURNEY_ATTRIBUTED, member + "/" + visit.visitId(), new JourneyAttributed(member,
                visit.visitId(), visit.open(), visit.startedAt(), t.at(), Duration.between(visit.startedAt(), t.at()).toSeconds(),
                visit.zones(), PosTransactionHandler.subject(t), t.kind().name().toLowerCase(Locale.ROOT), t.currency(), t.total()));
    }
}
