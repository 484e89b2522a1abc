package io.storegw.rigs.journey;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.observation.PosTransaction;
import io.storegw.drivers.virtual.PresenceScenario;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.ConfigException;
import io.storegw.gateway.config.ConfigLoader;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.core.SavedState;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.event.EventType;
import io.storegw.gateway.journey.JourneyAttribution;
import io.storegw.gateway.journey.PickupChange;
import io.storegw.gateway.journey.PickupDesk;
import io.storegw.gateway.members.Member;
import io.storegw.gateway.members.MemberDirectory;
import io.storegw.gateway.pos.PosTransactionHandler;
import io.storegw.gateway.privacy.KeyedHash;
import io.storegw.rigs.presence.PresenceAccuracy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the virtual store's journey scenario through the gateway's own handlers (the pipeline the core
 * loop runs, second by second on the scenario's clock) and scores it against the ground truth:
 * purchases tied to the right visit, and how long after a member with a ready order really walked in
 * the store raised the arrival.
 */
public final class JourneyAccuracy {

    /**
     * The figures of one run.
     *
     * @param precision    attributions naming the member who paid with their card, of all attributions
     * @param recall       card purchases attributed to their member's visit, of all card purchases
     * @param guessed      attributions of purchases made without a card (must be 0)
     * @param entryErrorP50 seconds between the visit's true start and the attributed {@code enteredAt}, median
     * @param alertP50     seconds from a member with a ready order truly entering to the store's alert
     * @param missedAlerts orders whose member came and was never raised
     */
    public record Score(String variant, int cardSales, int attributed, double precision, double recall, int guessed,
                        double entryErrorP50, int orders, double alertP50, double alertP90, double alertP99, int missedAlerts) {
    }

    private JourneyAccuracy() {
    }

    /**
     * The gateway's defaults on the virtual floor, with {@code pickupNear} dB for the quick arrival and,
     * with {@code doorReceiver}, the receiver above the door in the entrance zone too.
     */
    static GatewayConfig config(double pickupNear, boolean doorReceiver) throws ConfigException {
        StringBuilder yaml = new StringBuilder("tenant: bench\nstore: s1\ngateway: gw1\nuplink:\n  broker: tcp://127.0.0.1:1883\npresence:\n  zones:\n");
        PresenceScenario.zoneByReceiver().forEach((receiver, zone) -> yaml.append("    - {name: ").append(zone).append(", receivers: [")
                .append(receiver).append(doorReceiver && zone.equals("entrance") ? ", " + PresenceScenario.DOOR_RECEIVER : "").append("]}\n"));
        yaml.append("journey:\n  pickupNear: ").append(pickupNear).append('\n');
        return ConfigLoader.parse("bench.yaml", yaml.toString(), Path.of("."));
    }

    /** One scenario through the pipeline of {@code config}. */
    public static Score run(String variant, PresenceScenario.Settings scenario, GatewayConfig config) {
        KeyedHash cards = new KeyedHash(new byte[32]);
        MemberDirectory members = new MemberDirectory();
        List<Member> registered = new ArrayList<>();
        for (int v = 0; v < scenario.visits(); v++) {
            registered.add(new Member("v" + v, "consent", null, null, List.of(cards.loyalty(PresenceScenario.cardOf("v" + v)))));
        }
        members.publish(registered);
        Map<String, Instant> alerted = new HashMap<>();
        List<ObservationHandler> handlers = Gateway.handlers(config, cards, () -> null, SavedState.NONE, members,
                a -> alerted.putIfAbsent(a.orderId(), a.at()));
        List<JourneyAttribution.JourneyAttributed> attributions = new ArrayList<>();
        Emitter out = new Emitter() {
            @Override
            public void emit(EventType type, String subject, DataClass dataClass, Object data) {
                if (type.equals(EventCatalogue.JOURNEY_ATTRIBUTED)) {
                    attributions.add((JourneyAttribution.JourneyAttributed) data);
                }
            }

            @Override
            public void save(String key, Object state) {
                // no restarts in a benchmark
            }
        };

        Instant start = Instant.parse("2026-12-01T08:00:00Z");
        PresenceScenario store = new PresenceScenario(scenario, start);
        Map<String, String> paidWithCard = new HashMap<>();
        Set<String> paidWithoutCard = new HashSet<>();
        Map<String, Instant> arrived = new HashMap<>(); // order -> truly in the entrance
        Map<String, Instant> visitStart = new HashMap<>();
        Set<String> withOrder = new HashSet<>();
        Instant now = start;
        while (store.hasNext()) {
            PresenceScenario.Second second = store.next();
            now = second.at();
            for (String shopper : second.ordersReady()) {
                String member = shopper.substring("member:".length());
                withOrder.add(member);
                PickupChange ready = new PickupChange.Upsert(new PickupDesk.Pickup("order-" + member, member, true));
                handlers.forEach(h -> h.onInstruction(ready, out));
            }
            second.truth().forEach((shopper, zone) -> {
                String member = shopper.substring("member:".length());
                visitStart.putIfAbsent(member, second.at());
                if (withOrder.contains(member) && "entrance".equals(zone)) {
                    arrived.putIfAbsent("order-" + member, second.at());
                }
            });
            for (BleSighting s : second.heard()) {
                handlers.forEach(h -> h.onObservation(s, out));
            }
            for (Observation o : second.doorsAndTills()) {
                handlers.forEach(h -> h.onObservation(o, out));
                if (o instanceof PosTransaction t) {
                    if (t.loyaltyNumber().isPresent()) {
                        paidWithCard.put(PosTransactionHandler.subject(t), t.loyaltyNumber().get().substring("card-".length()));
                    } else {
                        paidWithoutCard.add(PosTransactionHandler.subject(t));
                    }
                }
            }
            Instant tick = second.at().plusSeconds(1);
            handlers.forEach(h -> h.onTick(tick, out));
        }
        int right = 0;
        int guessed = 0;
        List<Double> entryErrors = new ArrayList<>();
        for (JourneyAttribution.JourneyAttributed j : attributions) {
            if (j.member().equals(paidWithCard.get(j.transaction()))) {
                right++;
                entryErrors.add((double) Duration.between(visitStart.get(j.member()), j.enteredAt()).toSeconds());
            }
            if (paidWithoutCard.contains(j.transaction())) {
                guessed++;
            }
        }
        List<Double> alerts = new ArrayList<>();
        int missed = 0;
        for (Map.Entry<String, Instant> a : arrived.entrySet()) {
            Instant at = alerted.get(a.getKey());
            if (at == null) {
                missed++;
            } else {
                alerts.add(Duration.between(a.getValue(), at).toMillis() / 1000.0);
            }
        }
        return new Score(variant, paidWithCard.size(), attributions.size(),
                attributions.isEmpty() ? Double.NaN : (double) right / attributions.size(), (double) right / paidWithCard.size(), guessed,
                PresenceAccuracy.pct(entryErrors, 50), arrived.size(), PresenceAccuracy.pct(alerts, 50), PresenceAccuracy.pct(alerts, 90), PresenceAccuracy.pct(alerts, 99), missed);
    }
}
