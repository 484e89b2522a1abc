package io.storegw.gateway.journey;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.observation.PosTransaction;
import io.storegw.gateway.core.Declined;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.Instruction;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.core.SavedState;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.members.MemberDirectory;
import io.storegw.gateway.members.MemberForgotten;
import io.storegw.gateway.pos.PosTransactionHandler;
import io.storegw.gateway.presence.ZoneTracker;
import io.storegw.gateway.privacy.KeyedHash;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Click & collect at the store: the orders central says are coming, a member with a ready order seen
 * in a pickup zone ({@code pickup.arrived}, raised locally at once, again at most every
 * {@code repeat}), and their next purchase collecting it ({@code pickup.collected}). Orders are saved
 * with the events, so a restart forgets none.
 */
public final class PickupDesk implements ObservationHandler {

    /** A click & collect order as central describes it. */
    public record Pickup(String orderId, String member, boolean ready) {
    }

    /**
     * The data of {@code pickup.arrived}.
     *
     * @param how {@code zone} when the zone tracker placed the member there, {@code near} when a pickup zone's
     *            receiver heard the phone within a few metres first
     */
    public record PickupArrived(String orderId, String member, String zone, Instant at, String how) {
    }

    /** The data of {@code pickup.collected}: the purchase that followed the arrival. */
    public record PickupCollected(String orderId, String member, Instant at, String transaction) {
    }

    /**
     * Orders expected at once, at most: a store has hundreds waiting. Each is checked at every sighting of a member and
     * kept until collected or removed, so orders central never removes would pile up; past this a new one is declined.
     */
    public static final int MAX_ORDERS = 5_000;

    /** Where orders are saved; one key per order. */
    public static final String SAVED_PREFIX = "pickup/";

    private final ZoneTracker tracker;
    private final KeyedHash keyedHash;
    private final MemberDirectory members;
    private final Set<String> zones;
    private final double near;
    private final Duration repeat;
    private final PickupAlerts alerts;
    private final Map<String, Pickup> orders = new LinkedHashMap<>();
    private final Map<String, Instant> lastRaised = new HashMap<>();

    /**
     * @param zones  the zones where arriving counts
     * @param near   dB within the phone's 1 m power at a pickup zone's receiver that count as arrived at once
     * @param repeat the least time between two arrivals of the same member
     */
    public PickupDesk(ZoneTracker tracker, KeyedHash keyedHash, MemberDirectory members, Set<String> zones, double near,
                      Duration repeat, PickupAlerts alerts, SavedState saved) {
        this.tracker = tracker;
        this.keyedHash = keyedHash;
        this.members = members;
        this.zones = Set.copyOf(zones);
        this.near = near;
        this.repeat = repeat;
        this.alerts = alerts;
        saved.load(SAVED_PREFIX, Pickup.class).forEach(p -> orders.put(p.orderId(), p));
    }

    @Override
    public void onObservation(Observation observation, Emitter out) {
        if (observation instanceof BleSighting s && s.advertiser().startsWith("member:")) {
            arrived(s, s.advertiser().substring("member:".length()), out);
        } else if (observation instanceof PosTransaction t && t.loyaltyNumber().isPresent()) {
            String member = members.byLoyaltyHash(keyedHash.loyalty(t.loyaltyNumber().get()));
            for (Pickup p : ready(member)) {
                out.emitAbout(member, EventCatalogue.PICKUP_COLLECTED, SAVED_PREFIX + p.orderId(),
                        new PickupCollected(p.orderId(), member, t.at(), PosTransactionHandler.subject(t)));
                orders.remove(p.orderId());
                out.save(SAVED_PREFIX + p.orderId(), null);
            }
        }
    }

    private void arrived(BleSighting s, String member, Emitter out) {
        List<Pickup> waiting = ready(member);
        if (waiting.isEmpty()) {
            return;
        }
        Instant last = lastRaised.get(member);
        if (last != null && s.at().isBefore(last.plus(repeat))) {
            return;
        }
        // where the tracker places them now, before their stay counts: someone collecting may not stay long
        String zone = tracker.placedIn(s.advertiser());
        zone = zone != null && zones.contains(zone) ? zone : null;
        String how = "zone";
        if (zone == null) {
            String heardIn = tracker.zoneOfReceiver(s.receiverId());
            int tx = s.txPower() != null ? s.txPower() : ZoneTracker.DEFAULT_TX_DBM;
            if (heardIn == null || !zones.contains(heardIn) || s.rssi() < tx - near) {
                return;
            }
            zone = heardIn;
            how = "near";
        }
        lastRaised.put(member, s.at());
        for (Pickup p : waiting) {
            PickupArrived arrived = new PickupArrived(p.orderId(), member, zone, s.at(), how);
            alerts.arrived(arrived);
            out.emitAbout(member, EventCatalogue.PICKUP_ARRIVED, SAVED_PREFIX + p.orderId(), arrived);
        }
    }

    private List<Pickup> ready(String member) {
        if (member == null || orders.isEmpty()) {
            return List.of();
        }
        List<Pickup> out = new ArrayList<>(1);
        for (Pickup p : orders.values()) {
            if (p.ready() && p.member().equals(member)) {
                out.add(p);
            }
        }
        return out;
    }

    @Override
    public void onTick(Instant now, Emitter out) {
        lastRaised.values().removeIf(at -> at.isBefore(now.minus(repeat)));
    }

    /** An arrival raised while the clock ran ahead holds the next one back {@code repeat} from now, not the step too. */
    @Override
    public void onClockSetBack(Instant now) {
        lastRaised.replaceAll((member, at) -> at.isAfter(now) ? now : at);
    }

    @Override
    public void onInstruction(Instruction instruction, Emitter out) {
        if (instruction instanceof PickupChange.Upsert u) {
            if (orders.size() >= MAX_ORDERS && !orders.containsKey(u.pickup().orderId())) {
                throw new Declined("this gateway expects at most " + MAX_ORDERS + " orders at once and has " + orders.size()
                        + ": remove those collected elsewhere or cancelled (pickups.remove) before adding others");
            }
            orders.put(u.pickup().orderId(), u.pickup());
            out.save(SAVED_PREFIX + u.pickup().orderId(), u.pickup());
        } else if (instruction instanceof PickupChange.Remove r) {
            boolean held = orders.remove(r.orderId()) != null;
            if (held) {
                out.save(SAVED_PREFIX + r.orderId(), null);
            }
            r.held().complete(held);
        } else if (instruction instanceof MemberForgotten gone) {
            lastRaised.remove(gone.member());
            orders.values().removeIf(p -> {
                boolean theirs = p.member().equals(gone.member());
                if (theirs) {
                    out.save(SAVED_PREFIX + p.orderId(), null);
                }
                return theirs;
            });
        }
    }

    /** Orders expected now. */
    public int orders() {
        return orders.size();
    }
}
