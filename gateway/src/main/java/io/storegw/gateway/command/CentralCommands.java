package io.storegw.gateway.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.ble.identity.EidResolver;
import io.storegw.drivers.ble.identity.IdentityResolver;
import io.storegw.drivers.json.StrictJson;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.core.CoreLoop;
import io.storegw.gateway.core.Declined;
import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.journey.PickupChange;
import io.storegw.gateway.journey.PickupDesk;
import io.storegw.gateway.layout.LayoutEditor;
import io.storegw.gateway.members.Member;
import io.storegw.gateway.members.MemberDirectory;
import io.storegw.gateway.members.MemberForgotten;
import io.storegw.gateway.members.MemberStore;
import io.storegw.gateway.metrics.Refusals;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.outbox.Outbox;
import io.storegw.gateway.uplink.Uplink;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.tinylog.Logger;

/**
 * Central's commands to this gateway: verified ({@link CommandVerifier}), applied one at a time on a
 * thread of their own, and answered on the request's response topic once their effect is durable. See
 * {@code docs/commands.md}.
 */
public final class CentralCommands implements Uplink.CommandListener, AutoCloseable {

    /** Each command this gateway takes, with its body's fields: any other command is unknown, any other field a typo. */
    private static final Map<String, List<String>> BODIES = Map.of(
            "ping", List.of(),
            "members.upsert", List.of("pseudonym", "consent", "eid", "appBeaconSecret", "loyaltyHashes"),
            "members.remove", List.of("pseudonym"),
            "consent.revoke", List.of("pseudonym"),
            "pickups.upsert", List.of("orderId", "pseudonym", "ready"),
            "pickups.remove", List.of("orderId"),
            "zones.replace", List.of("zones"));

    /** The commands this gateway takes; anything else is refused as unknown. */
    private static final Set<String> NAMES = BODIES.keySet();

    /** How a command was answered: {@code status} is {@code ok}, {@code refused} or {@code failed}. */
    public record Reply(String name, String nonce, String status, String reason, String detail, Map<String, Object> result) {
    }

    /**
     * Central's commands since the start.
     *
     * @param members     members held now
     * @param taken       commands carried out since the start
     * @param refused     commands refused or failed since the start
     * @param lastReason  the last one's reason ({@code bad-signature}, {@code stale}, ...), or null
     * @param lastRefused the last one with its time, name, reason and detail, or null
     * @param answersRefused    answers central's broker refused ({@link Uplink#answersRefused()}): carried out, central saw no answer
     * @param lastAnswerRefused the last of them with its time, topic and the broker's reason, or null
     */
    public record Tally(int members, long taken, long refused, String lastReason, String lastRefused, long answersRefused,
                        String lastAnswerRefused) {
    }

    /** A member or an order the gateway has no room for: refused as full, so central can ask again after a removal. */
    private static final class Full extends Exception {
        Full(String message) {
            super(message, null, false, false);
        }
    }

    /** A command's body central got wrong: refused as malformed, its nonce not taken. */
    private static final class BadBody extends Exception {
        BadBody(String message) {
            super(message, null, false, false);
        }
    }

    private static final Pattern PSEUDONYM = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");
    /** The radios' EID drift tolerance, and the fastest rotation it lets them resolve. */
    private static final Duration EID_DRIFT = IdentityResolver.Settings.defaults().eidDrift();
    private static final int MIN_EID_EXPONENT = EidResolver.minExponent(EID_DRIFT);

    private final CommandVerifier verifier;
    private final MemberStore members;
    private final CoreLoop core;
    private final Outbox outbox;
    private final Uplink uplink;
    private final Clock clock;
    /** Whether the radios know the app-beacon scheme, without which an app-beacon secret recognises nobody. */
    private final boolean appBeacons;
    private final String version;
    private final Metrics metrics;
    private final ThreadPoolExecutor worker;
    private final MemberDirectory directory;
    private final LayoutEditor layout;
    private final LongAdder taken = new LongAdder();
    /** Commands refused or failed; someone sending rubbish on the command topic cannot fill the journal. */
    private final Refusals notTaken;

    /** @param directory where the rest of the gateway reads the members; published from the table at once */
    public CentralCommands(CommandVerifier verifier, GatewayConfig.Commands settings, MemberStore members, MemberDirectory directory, LayoutEditor layout, CoreLoop core,
                           Outbox outbox, Uplink uplink, Clock clock, String version, Metrics metrics) throws java.sql.SQLException, java.io.IOException {
        this.directory = directory;
        this.layout = layout;
        this.verifier = verifier;
        this.appBeacons = settings.appBeacon() != null;
        this.members = members;
        this.core = core;
        this.outbox = outbox;
        this.uplink = uplink;
        this.clock = clock;
        this.notTaken = new Refusals(clock, "Central's commands:", "not taken");
        this.version = version;
        this.metrics = metrics;
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(64), r -> {
            Thread t = new Thread(r, "central-commands");
            t.setDaemon(true);
            return t;
        });
        directory.publish(members.members());
        metrics.gauge("storegw_members", "Members central registered at this store", directory::size);
    }

    /**
     * Finishes the revocations a crash interrupted: their members are gone from the table, their queued
     * events may not be. Call once at start, before the uplink connects.
     */
    public void finishRevocations() throws Exception {
        for (String pseudonym : members.unpurged()) {
            int n = outbox.forget(pseudonym).get(5, TimeUnit.MINUTES);
            members.purged(pseudonym);
            Logger.info("Consent revocation of {} finished after a restart: {} queued events removed", pseudonym, n);
        }
    }

    @Override
    public void arrived(String name, MqttMessage message) {
        var properties = message.getProperties();
        String responseTopic = properties == null ? null : properties.getResponseTopic();
        byte[] correlation = properties == null ? null : properties.getCorrelationData();
        String signature = null;
        if (properties != null && properties.getUserProperties() != null) {
            for (UserProperty p : properties.getUserProperties()) {
                if (p.getKey().equals("signature")) {
                    signature = p.getValue();
                }
            }
        }
        byte[] payload = message.getPayload();
        String sig = signature;
        try {
            worker.execute(() -> answer(responseTopic, correlation, handle(name, payload, sig)));
        } catch (RejectedExecutionException e) {
            answer(responseTopic, correlation, count(new Reply(name, null, "refused", "busy", "too many commands at once; ask again", Map.of())));
        }
    }

    /** Verifies and applies one command; returns its answer. */
    Reply handle(String name, byte[] payload, String signature) {
        CommandVerifier.Verdict verdict = verifier.verify(name, payload, signature);
        if (verdict instanceof CommandVerifier.Refused r) {
            return count(new Reply(name, null, "refused", r.reason(), r.detail(), Map.of()));
        }
        SignedCommand command = ((CommandVerifier.Accepted) verdict).command();
        if (!NAMES.contains(command.name())) {
            return count(new Reply(name, command.nonce(), "refused", "unknown-command",
                    "this gateway takes " + String.join(", ", NAMES.stream().sorted().toList()), Map.of()));
        }
        try {
            Map<String, Object> result = apply(command);
            Logger.info("Command {} ({}) applied{}", command.name(), command.nonce(),
                    result.containsKey("warning") ? "; " + result.get("warning") : "");
            return count(new Reply(name, command.nonce(), "ok", null, null, result));
        } catch (BadBody e) {
            return count(new Reply(name, command.nonce(), "refused", "malformed", e.getMessage(), Map.of()));
        } catch (Full e) {
            return count(new Reply(name, command.nonce(), "refused", "full", e.getMessage(), Map.of()));
        } catch (MemberStore.Replayed e) {
            return count(new Reply(name, command.nonce(), "refused", "replayed", e.getMessage(), Map.of()));
        } catch (Exception e) {
            Logger.error(e, "Command {} ({}) failed", name, command.nonce());
            // a message-less exception (a bug) is named by its class, so central's operator has something to report
            String detail = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
            return count(new Reply(name, command.nonce(), "failed", "error", detail, Map.of()));
        }
    }

    private Map<String, Object> apply(SignedCommand c) throws Exception {
        JsonNode body = c.body();
        fieldsOf(c.name(), body, "body", BODIES.get(c.name()));
        Map<String, Object> result = new LinkedHashMap<>();
        switch (c.name()) {
            case "ping" -> {
                members.take(c.nonce(), c.issued());
                result.put("time", clock.instant().toString());
                result.put("version", version);
                result.put("members", directory.size());
                result.put("backlog", outbox.rows());
            }
            case "members.upsert" -> {
                Member m = member(body);
                String full = directory.wouldNotFit(m);
                if (full != null) {
                    throw new Full(full);
                }
                members.upsert(c.nonce(), c.issued(), m);
                directory.put(m);
                result.put("members", directory.size());
                if (m.appBeaconSecret() != null && !appBeacons) {
                    result.put("warning", "kept, but commands.appBeacon is not configured on this gateway: the member's"
                            + " app-beacon phone is not recognised until it is");
                } else if (m.eid() == null && m.appBeaconSecret() == null && m.loyaltyHashes().isEmpty()) {
                    result.put("warning", "kept, but with no eid, appBeaconSecret or loyaltyHashes nothing here can"
                            + " recognise the member: not their phone, not their card at a till");
                }
            }
            case "members.remove" -> {
                String pseudonym = pseudonym(body);
                result.put("removed", members.remove(c.nonce(), c.issued(), pseudonym));
                directory.remove(pseudonym);
            }
            case "consent.revoke" -> {
                String pseudonym = pseudonym(body);
                members.revoke(c.nonce(), c.issued(), pseudonym, clock.instant());
                directory.remove(pseudonym); // the radios stop recognising the phone at their next advertisement
                // Handlers first, so nothing more about them is made; then what is already queued goes.
                core.instruct(new MemberForgotten(pseudonym)).get(30, TimeUnit.SECONDS);
                int purged = outbox.forget(pseudonym).get(5, TimeUnit.MINUTES);
                members.purged(pseudonym);
                result.put("purged", purged);
            }
            case "pickups.upsert" -> {
                PickupDesk.Pickup pickup = pickup(body);
                members.take(c.nonce(), c.issued());
                try {
                    core.instruct(new PickupChange.Upsert(pickup)).get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Declined declined) {
                        throw new Full(declined.getMessage());
                    }
                    throw e;
                }
                result.put("orderId", pickup.orderId());
                if (!directory.contains(pickup.member())) {
                    // central may send the order before the member; the arrival waits for them
                    result.put("warning", "kept, but no member " + pickup.member() + " is held on this gateway: the order"
                            + " is raised once members.upsert brings them");
                }
            }
            case "pickups.remove" -> {
                String orderId = orderId(body);
                members.take(c.nonce(), c.issued());
                PickupChange.Remove remove = new PickupChange.Remove(orderId);
                core.instruct(remove).get(30, TimeUnit.SECONDS);
                result.put("orderId", orderId);
                result.put("removed", remove.held().getNow(false)); // false: no such order was expected (or it went already)
            }
            case "zones.replace" -> {
                List<GatewayConfig.Zone> zones = zones(body);
                members.take(c.nonce(), c.issued());
                try {
                    result.put("layoutVersion", layout.replaceZones(zones, "zones replaced by central").version());
                } catch (IllegalArgumentException e) {
                    throw new BadBody(e.getMessage());
                }
            }
            default -> throw new IllegalStateException("no case for " + c.name());
        }
        return result;
    }

    private static void fieldsOf(String command, JsonNode node, String where, List<String> fields) throws BadBody {
        String unknown = StrictJson.unknownField(node, fields);
        if (unknown != null) {
            throw new BadBody(where + "." + unknown + " is not a field of " + command + (fields.isEmpty() ? "; its " + where + " is {}"
                    : "; " + where + " has " + String.join(", ", fields)));
        }
    }

    private static String pseudonym(JsonNode body) throws BadBody {
        String p = body.path("pseudonym").asText(null);
        if (p == null || !PSEUDONYM.matcher(p).matches()) {
            throw new BadBody("expected body.pseudonym: 1 to 128 letters, digits and . _ : -");
        }
        return p;
    }

    private static List<GatewayConfig.Zone> zones(JsonNode body) throws BadBody {
        JsonNode zones = body.path("zones");
        if (!zones.isArray()) {
            throw new BadBody("expected body.zones: a list of {name, receivers, beacons}, as in the config file");
        }
        for (int i = 0; i < zones.size(); i++) {
            if (!zones.get(i).isObject()) {
                throw new BadBody("expected body.zones[" + i + "]: {name, receivers, beacons}, got " + zones.get(i).getNodeType());
            }
        }
        try {
            return List.of(CloudEventEncoder.JSON.treeToValue(zones, GatewayConfig.Zone[].class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new BadBody("body.zones: " + e.getMessage());
        }
    }

    private static String orderId(JsonNode body) throws BadBody {
        String id = body.path("orderId").asText(null);
        if (id == null || !PSEUDONYM.matcher(id).matches()) {
            throw new BadBody("expected body.orderId: 1 to 128 letters, digits and . _ : -");
        }
        return id;
    }

    private static PickupDesk.Pickup pickup(JsonNode body) throws BadBody {
        String orderId = orderId(body);
        JsonNode ready = body.path("ready");
        if (!ready.isBoolean()) {
            throw new BadBody("expected body.ready: true once the order waits at the store, else false");
        }
        return new PickupDesk.Pickup(orderId, pseudonym(body), ready.asBoolean());
    }

    private static Member member(JsonNode body) throws BadBody {
        String pseudonym = pseudonym(body);
        String consent = body.path("consent").asText(null);
        if (consent == null || consent.isBlank() || consent.length() > 128) {
            throw new BadBody("expected body.consent: the id of the consent record (1 to 128 characters)");
        }
        Member.Eid eid = null;
        JsonNode e = body.path("eid");
        if (!e.isMissingNode() && !e.isNull()) {
            fieldsOf("members.upsert", e, "body.eid", List.of("identityKey", "exponent"));
            String key = e.path("identityKey").asText("");
            int exponent = e.path("exponent").asInt(-1);
            if (key.length() != 32 || !HEX.matcher(key).matches()) {
                throw new BadBody("expected body.eid.identityKey: the 16-byte EID identity key as 32 hex digits");
            }
            if (exponent < 0 || exponent > 15 || !e.path("exponent").isInt()) {
                throw new BadBody("expected body.eid.exponent: the rotation exponent, 0 to 15");
            }
            if (exponent < MIN_EID_EXPONENT) {
                throw new BadBody("body.eid.exponent " + exponent + " rotates too fast to resolve within the gateway's "
                        + EID_DRIFT.toMinutes() + "-minute clock drift tolerance; use " + MIN_EID_EXPONENT + " or more");
            }
            eid = new Member.Eid(key.toLowerCase(java.util.Locale.ROOT), exponent);
        }
        String secret = body.path("appBeaconSecret").asText(null);
        if (secret != null && (secret.length() < 32 || secret.length() > 128 || !HEX.matcher(secret).matches())) {
            throw new BadBody("expected body.appBeaconSecret: 16 to 64 bytes as hex digits");
        }
        List<String> cards = new ArrayList<>();
        JsonNode hashes = body.path("loyaltyHashes");
        if (!hashes.isMissingNode() && (!hashes.isArray() || hashes.size() > 16)) {
            throw new BadBody("expected body.loyaltyHashes: a list of at most 16 keyed hashes");
        }
        for (JsonNode h : hashes) {
            if (!h.isTextual() || h.asText().isEmpty() || h.asText().length() > 128) {
                throw new BadBody("expected body.loyaltyHashes to hold strings of 1 to 128 characters");
            }
            cards.add(h.asText());
        }
        return new Member(pseudonym, consent, eid, secret == null ? null : secret.toLowerCase(java.util.Locale.ROOT), cards);
    }

    /** Counts an answer for {@code /metrics} and {@code storegw status}, and logs a refusal within {@link #notTaken}'s limit. */
    private Reply count(Reply reply) {
        String outcome = reply.status().equals("ok") ? "ok" : reply.reason();
        metrics.counter("storegw_commands_total", "Commands from central, by command and outcome (ok or why refused)",
                "command", NAMES.contains(reply.name()) ? reply.name() : "other", "outcome", outcome).increment();
        if (reply.status().equals("ok")) {
            taken.increment();
            return reply;
        }
        String what = reply.name() + " " + reply.status() + " (" + reply.reason() + "): " + reply.detail();
        // failed is logged with its stack trace where it failed
        notTaken.refused(reply.reason(), what, reply.status().equals("failed") ? null : "Command " + what);
        return reply;
    }

    /** Central's commands since the start, for {@code storegw status} and {@code storegw doctor}. */
    public Tally tally() {
        Refusals.Tally refused = notTaken.tally();
        Refusals.Tally answers = uplink.answersRefused();
        return new Tally(directory.size(), taken.sum(), refused.count(), refused.reason(), refused.last(), answers.count(), answers.last());
    }

    private void answer(String responseTopic, byte[] correlation, Reply reply) {
        if (responseTopic == null || responseTopic.isBlank()) {
            return; // central did not ask for an answer
        }
        try {
            if (!uplink.reply(responseTopic, correlation, CloudEventEncoder.JSON.writeValueAsBytes(reply))) {
                Logger.warn("Command {} ({}): its answer was not sent, the uplink being down or its window full; central asks again",
                        reply.name(), reply.status());
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a reply is plain data", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        worker.shutdown();
        worker.awaitTermination(10, TimeUnit.SECONDS);
    }
}
