package io.storegw.gateway.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.testing.Await;
import io.storegw.gateway.Gateway;
import java.util.Map;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.event.Event;
import io.storegw.gateway.event.EventIds;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.journey.PickupChange;
import io.storegw.gateway.journey.PickupDesk;
import io.storegw.gateway.members.MemberStore;
import io.storegw.gateway.outbox.OutboxRow;
import io.storegw.gateway.testing.Central;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Central's signed commands against a gateway on a real broker: what is taken and what is refused
 * (unsigned, wrong key, tampered, replayed, stale), the member table encrypted on disk, and consent
 * revoked while the uplink is down: afterwards nothing about the member reaches central.
 */
class CentralCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EID_KEY = "e2d9a3f40c11b4a7d09e7a5c3b1f2e60";

    @TempDir
    Path dir;

    private KeyPair central;
    private Path publicKey;

    @BeforeEach
    void centralKey() throws Exception {
        central = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        publicKey = Files.writeString(dir.resolve("central.pub"), pem(central));
    }

    @Test
    void onlyFreshCommandsSignedByCentralAreTakenAndEachOnlyOnce() throws Exception {
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            try (Gateway gw = Gateway.start(config(broker.uri()), Clock.systemUTC()); Commander cmd = new Commander(broker.uri())) {
                Await.until(Duration.ofSeconds(20), "the uplink", gw.uplink()::connected);

                byte[] ping = envelope("ping", Instant.now(), "{}");
                JsonNode ok = cmd.send("ping", ping, sign(central.getPrivate(), ping));
                assertThat(ok.path("status").asText()).isEqualTo("ok");
                assertThat(ok.path("result").path("version").asText()).isNotEmpty();
                assertThat(ok.path("result").path("members").asInt()).isZero();

                assertRefused(cmd.send("ping", ping, sign(central.getPrivate(), ping)), "replayed");
                byte[] tampered = new String(ping, StandardCharsets.UTF_8).replace("{}", "{\"x\":1}").getBytes(StandardCharsets.UTF_8);
                assertRefused(cmd.send("ping", tampered, sign(central.getPrivate(), ping)), "bad-signature");
                PrivateKey stranger = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();
                byte[] other = envelope("ping", Instant.now(), "{}");
                assertRefused(cmd.send("ping", other, sign(stranger, other)), "bad-signature");
                assertRefused(cmd.send("ping", other, null), "unsigned");
                byte[] old = envelope("ping", Instant.now().minus(Duration.ofMinutes(10)), "{}");
                assertRefused(cmd.send("ping", old, sign(central.getPrivate(), old)), "stale");
                byte[] ahead = envelope("ping", Instant.now().plus(Duration.ofMinutes(10)), "{}");
                assertRefused(cmd.send("ping", ahead, sign(central.getPrivate(), ahead)), "stale");
                byte[] elsewhere = envelope("members.remove", Instant.now(), "{\"pseudonym\": \"m-1\"}");
                assertRefused(cmd.send("ping", elsewhere, sign(central.getPrivate(), elsewhere)), "malformed");
                byte[] unknown = envelope("pickups.teleport", Instant.now(), "{}");
                assertRefused(cmd.send("pickups.teleport", unknown, sign(central.getPrivate(), unknown)), "unknown-command");

                byte[] upsert = envelope("members.upsert", Instant.now(), member("m-7"));
                JsonNode added = cmd.send("members.upsert", upsert, sign(central.getPrivate(), upsert));
                assertThat(added.path("status").asText()).isEqualTo("ok");
                assertThat(added.path("result").path("members").asInt()).isEqualTo(1);
                byte[] bad = envelope("members.upsert", Instant.now(), "{\"pseudonym\": \"m-8\", \"consent\": \"c-1\", \"eid\": {\"identityKey\": \"00\", \"exponent\": 10}}");
                JsonNode refused = cmd.send("members.upsert", bad, sign(central.getPrivate(), bad));
                assertRefused(refused, "malformed");
                assertThat(refused.path("detail").asText()).contains("identityKey");

                byte[] pickup = envelope("pickups.upsert", Instant.now(), "{\"orderId\": \"order-1\", \"pseudonym\": \"m-7\", \"ready\": true}");
                assertThat(cmd.send("pickups.upsert", pickup, sign(central.getPrivate(), pickup)).path("status").asText()).isEqualTo("ok");
                assertThat(gw.outbox().saved("pickup/", Object.class)).as("the order is kept with the outbox").hasSize(1);
                byte[] done = envelope("pickups.remove", Instant.now(), "{\"orderId\": \"order-1\"}");
                JsonNode removed = cmd.send("pickups.remove", done, sign(central.getPrivate(), done));
                assertThat(removed.path("status").asText()).isEqualTo("ok");
                assertThat(removed.path("result").path("removed").asBoolean()).isTrue();
                assertThat(gw.outbox().saved("pickup/", Object.class)).isEmpty();
                byte[] again = envelope("pickups.remove", Instant.now(), "{\"orderId\": \"order-1\"}");
                JsonNode none = cmd.send("pickups.remove", again, sign(central.getPrivate(), again));
                assertThat(none.path("status").asText()).as("idempotent").isEqualTo("ok");
                assertThat(none.path("result").path("removed")).as("and says no such order was expected").isEqualTo(BooleanNode.FALSE);

                byte[] zones = envelope("zones.replace", Instant.now(),
                        "{\"zones\": [{\"name\": \"entrance\", \"receivers\": [\"door\"]}, {\"name\": \"pickup\", \"receivers\": [\"desk\"]}]}");
                JsonNode replaced = cmd.send("zones.replace", zones, sign(central.getPrivate(), zones));
                assertThat(replaced.path("status").asText()).as(replaced.toString()).isEqualTo("ok");
                assertThat(replaced.path("result").path("layoutVersion").asLong()).isEqualTo(1);
                byte[] empty = envelope("zones.replace", Instant.now(), "{\"zones\": [{\"name\": \"pickup\"}]}");
                JsonNode refusedZones = cmd.send("zones.replace", empty, sign(central.getPrivate(), empty));
                assertRefused(refusedZones, "malformed");
                assertThat(refusedZones.path("detail").asText()).contains("receivers or beacons");

                assertThat(gw.metrics().count("storegw_commands_total", "command", "ping", "outcome", "ok")).isEqualTo(1);
                assertThat(gw.metrics().count("storegw_commands_total", "command", "ping", "outcome", "bad-signature")).isEqualTo(2);
                assertThat(gw.metrics().count("storegw_commands_total", "command", "ping", "outcome", "replayed")).isEqualTo(1);
                assertThat(gw.metrics().count("storegw_commands_total", "command", "ping", "outcome", "stale")).isEqualTo(2);
            }
            // a replay after a restart is still a replay: the nonce was kept with the member
            try (Gateway gw = Gateway.start(config(broker.uri()), Clock.systemUTC())) {
                byte[] upsert = envelope("members.upsert", Instant.now(), member("m-9"));
                assertThat(gw.commands().handle("members.upsert", upsert, sign(central.getPrivate(), upsert)).status()).isEqualTo("ok");
                CentralCommands.Reply again = gw.commands().handle("members.upsert", upsert, sign(central.getPrivate(), upsert));
                assertThat(again.reason()).isEqualTo("replayed");
                byte[] fast = envelope("members.upsert", Instant.now(), member("m-10").replace("\"exponent\": 10", "\"exponent\": 2"));
                CentralCommands.Reply tooFast = gw.commands().handle("members.upsert", fast, sign(central.getPrivate(), fast));
                assertThat(tooFast.reason()).isEqualTo("malformed");
                assertThat(tooFast.detail()).contains("use 5 or more");
                byte[] iphone = envelope("members.upsert", Instant.now(),
                        "{\"pseudonym\": \"m-11\", \"consent\": \"c-11\", \"appBeaconSecret\": \"000102030405060708090a0b0c0d0e0f\"}");
                CentralCommands.Reply kept = gw.commands().handle("members.upsert", iphone, sign(central.getPrivate(), iphone));
                assertThat(kept.status()).isEqualTo("ok");
                assertThat((String) kept.result().get("warning")).as("no app-beacon scheme configured here").contains("commands.appBeacon");
                // found by CentralCommandsFuzzTest: answered "failed" with no reason before
                byte[] nullZone = envelope("zones.replace", Instant.now(), "{\"zones\": [null]}");
                CentralCommands.Reply noZone = gw.commands().handle("zones.replace", nullZone, sign(central.getPrivate(), nullZone));
                assertThat(noZone.reason()).as(noZone.toString()).isEqualTo("malformed");
                assertThat(noZone.detail()).contains("body.zones[0]");
            }
        }
    }

    @Test
    void theMemberTableIsEncryptedAndOpensOnlyWithItsKey() throws Exception {
        GatewayConfig config = config("tcp://127.0.0.1:" + TestBroker.freePort());
        try (Gateway gw = Gateway.start(config, Clock.systemUTC())) {
            byte[] upsert = envelope("members.upsert", Instant.now(), member("member-with-a-findable-name"));
            assertThat(gw.commands().handle("members.upsert", upsert, sign(central.getPrivate(), upsert)).status()).isEqualTo("ok");
        }
        byte[] file = Files.readAllBytes(config.stateDir().resolve("members.mv.db"));
        String raw = new String(file, StandardCharsets.ISO_8859_1);
        assertThat(raw).doesNotContain("member-with-a-findable-name").doesNotContain(EID_KEY).doesNotContain("CREATE TABLE");
        Path otherKey = Files.write(dir.resolve("other.key"), new byte[32]);
        assertThatThrownBy(() -> MemberStore.open(config.stateDir().resolve("members"), otherKey, Duration.ofMinutes(5)))
                .hasMessageContaining("does not open with the key");
        try (MemberStore store = MemberStore.open(config.stateDir().resolve("members"), config.stateDir().resolve("members.key"), Duration.ofMinutes(5))) {
            assertThat(store.members()).singleElement().satisfies(m -> {
                assertThat(m.pseudonym()).isEqualTo("member-with-a-findable-name");
                assertThat(m.eid().identityKey()).isEqualTo(EID_KEY);
                assertThat(m.toString()).doesNotContain(EID_KEY);
            });
        }
    }

    @Test
    void consentRevokedWhileTheUplinkIsDownLeavesNothingAboutTheMemberToPublish() throws Exception {
        try (TestBroker broker = TestBroker.create(dir.resolve("broker")); Central hq = Central.subscribedBeforeOutage(broker, "hq")) {
            GatewayConfig config = config(broker.uri());
            try (Gateway gw = Gateway.start(config, Clock.systemUTC())) {
                for (String m : List.of("m-7", "m-8")) {
                    byte[] upsert = envelope("members.upsert", Instant.now(), member(m));
                    assertThat(gw.commands().handle("members.upsert", upsert, sign(central.getPrivate(), upsert)).status()).isEqualTo("ok");
                }
                Instant from = Instant.now().minusSeconds(6);
                for (int i = 0; i < 6; i++) {
                    for (String m : List.of("m-7", "m-8")) {
                        gw.core().accept(new BleSighting(from.plusSeconds(i), "door", "member:" + m, -55, -59)).toCompletableFuture().get();
                    }
                }
                Await.until(Duration.ofSeconds(20), "both visits queued", () -> queuedAbout(gw, "m-7") > 0 && queuedAbout(gw, "m-8") > 0);

                byte[] revoke = envelope("consent.revoke", Instant.now(), "{\"pseudonym\": \"m-7\"}");
                CentralCommands.Reply reply = gw.commands().handle("consent.revoke", revoke, sign(central.getPrivate(), revoke));
                assertThat(reply.status()).isEqualTo("ok");
                assertThat((Integer) reply.result().get("purged")).isPositive();
                assertThat(queuedAbout(gw, "m-7")).isZero();
                assertThat(gw.outbox().saved("presence/visit/", Object.class)).as("no open visit of m-7 is kept").hasSize(1);
                // a sighting a radio resolved before it took up the revocation starts nothing new
                Instant later = Instant.now();
                for (int i = 0; i < 6; i++) {
                    gw.core().accept(new BleSighting(later.plusSeconds(i), "door", "member:m-7", -55, -59)).toCompletableFuture().get();
                }
                assertThat(queuedAbout(gw, "m-7")).isZero();

                broker.start();
                Await.until(Duration.ofSeconds(30), "the consent drop report and m-8's visit", () ->
                        hq.events().values().stream().anyMatch(e -> e.path("data").path("reason").asText().equals("consent"))
                                && hq.events().values().stream().anyMatch(e -> e.path("data").path("member").asText().equals("m-8")));
                assertThat(hq.events().values()).noneMatch(e -> e.toString().contains("m-7"));
                assertThat(hq.awaitAccountedFor(gw.outbox().stats().committedSeq(), Duration.ofSeconds(10)))
                        .as("every gap is a reported drop").isTrue();
            }
        }
    }

    @Test
    void aRevocationACrashInterruptedIsFinishedAtTheNextStart() throws Exception {
        GatewayConfig config = config("tcp://127.0.0.1:" + TestBroker.freePort());
        try (Gateway gw = Gateway.start(config, Clock.systemUTC())) {
            Instant from = Instant.now().minusSeconds(6);
            for (int i = 0; i < 6; i++) {
                gw.core().accept(new BleSighting(from.plusSeconds(i), "door", "member:m-7", -55, -59)).toCompletableFuture().get();
            }
            Await.until(Duration.ofSeconds(20), "the visit queued", () -> queuedAbout(gw, "m-7") > 0);
        }
        // the member table took the revocation, then the power went before the outbox was purged
        try (MemberStore store = MemberStore.open(config.stateDir().resolve("members"), config.stateDir().resolve("members.key"), Duration.ofMinutes(5))) {
            store.revoke(UUID.randomUUID().toString(), Instant.now(), "m-7", Instant.now());
        }
        try (Gateway gw = Gateway.start(config, Clock.systemUTC())) {
            assertThat(queuedAbout(gw, "m-7")).isZero();
            assertThat(rows(gw)).anySatisfy(e -> assertThat(e.path("data").path("reason").asText()).isEqualTo("consent"));
        }
        try (MemberStore store = MemberStore.open(config.stateDir().resolve("members"), config.stateDir().resolve("members.key"), Duration.ofMinutes(5))) {
            assertThat(store.unpurged()).isEmpty();
        }
    }

    /** Orders central never removes would pile up: past the limit a new one is refused as full, and the others still change. */
    @Test
    void anOrderPastTheLimitIsRefusedAsFullAndTheOthersStillChange() throws Exception {
        try (Gateway gw = Gateway.start(config("tcp://127.0.0.1:" + TestBroker.freePort()), Clock.systemUTC())) {
            CompletableFuture<Void> last = null;
            for (int n = 0; n < PickupDesk.MAX_ORDERS; n++) {
                last = gw.core().instruct(new PickupChange.Upsert(
                        new PickupDesk.Pickup("order-" + n, "m-" + n, false)));
            }
            last.get(60, TimeUnit.SECONDS);
            byte[] another = envelope("pickups.upsert", Instant.now(), "{\"orderId\": \"order-new\", \"pseudonym\": \"m-1\", \"ready\": true}");
            CentralCommands.Reply full = gw.commands().handle("pickups.upsert", another, sign(central.getPrivate(), another));
            assertThat(full.status()).as(full.toString()).isEqualTo("refused");
            assertThat(full.reason()).isEqualTo("full");
            assertThat(full.detail()).contains("at most " + PickupDesk.MAX_ORDERS + " orders");
            byte[] ready = envelope("pickups.upsert", Instant.now(), "{\"orderId\": \"order-7\", \"pseudonym\": \"m-7\", \"ready\": true}");
            assertThat(gw.commands().handle("pickups.upsert", ready, sign(central.getPrivate(), ready)).status()).isEqualTo("ok");
            byte[] removed = envelope("pickups.remove", Instant.now(), "{\"orderId\": \"order-8\"}");
            assertThat(gw.commands().handle("pickups.remove", removed, sign(central.getPrivate(), removed)).status()).isEqualTo("ok");
            byte[] again = envelope("pickups.upsert", Instant.now(), "{\"orderId\": \"order-new\", \"pseudonym\": \"m-1\", \"ready\": true}");
            assertThat(gw.commands().handle("pickups.upsert", again, sign(central.getPrivate(), again)).status()).as("a place freed").isEqualTo("ok");
            assertThat(gw.core().problem()).isNull();
        }
    }

    /**
     * Found by hand, as central's integrator with openssl and mosquitto_pub: a misspelt field
     * ({@code appBeaconSecrets}) was read as one left out, so a member was kept whom nothing would ever
     * recognise, and answered "ok". Fields are refused by name now, and what is kept but cannot work
     * yet is answered with a warning.
     */
    @Test
    void aMisspeltFieldIsRefusedByNameAndWhatCannotWorkYetIsWarnedOf() throws Exception {
        try (Gateway gw = Gateway.start(config("tcp://127.0.0.1:" + TestBroker.freePort()), Clock.systemUTC())) {
            CentralCommands.Reply typo = handle(gw, "members.upsert", envelope("members.upsert", Instant.now(),
                    "{\"pseudonym\": \"m-1\", \"consent\": \"c-1\", \"appBeaconSecrets\": \"000102030405060708090a0b0c0d0e0f\"}"));
            assertThat(typo.reason()).as(typo.toString()).isEqualTo("malformed");
            assertThat(typo.detail()).isEqualTo("body.appBeaconSecrets is not a field of members.upsert;"
                    + " body has pseudonym, consent, eid, appBeaconSecret, loyaltyHashes");
            CentralCommands.Reply eidTypo = handle(gw, "members.upsert", envelope("members.upsert", Instant.now(),
                    "{\"pseudonym\": \"m-1\", \"consent\": \"c-1\", \"eid\": {\"identityKey\": \"" + EID_KEY + "\", \"exponent\": 10, \"exp\": 10}}"));
            assertThat(eidTypo.detail()).as(eidTypo.toString()).startsWith("body.eid.exp is not a field of members.upsert");
            CentralCommands.Reply pingBody = handle(gw, "ping", envelope("ping", Instant.now(), "{\"verbose\": true}"));
            assertThat(pingBody.detail()).as(pingBody.toString()).isEqualTo("body.verbose is not a field of ping; its body is {}");
            CentralCommands.Reply notAnObject = handle(gw, "ping", envelope("ping", Instant.now(), "[]"));
            assertThat(notAnObject.detail()).as(notAnObject.toString()).isEqualTo("expected body to be a JSON object, got ARRAY");
            byte[] extra = ("{\"name\": \"ping\", \"issued\": \"" + Instant.now() + "\", \"nonce\": \"" + UUID.randomUUID()
                    + "\", \"body\": {}, \"issuer\": \"central\"}").getBytes(StandardCharsets.UTF_8);
            CentralCommands.Reply envelopeTypo = handle(gw, "ping", extra);
            assertThat(envelopeTypo.reason()).as(envelopeTypo.toString()).isEqualTo("malformed");
            assertThat(envelopeTypo.detail()).isEqualTo("unknown field 'issuer' in the payload; a command has name, issued, nonce, body");
            assertThat(gw.commands().handle("ping", "[1]".getBytes(StandardCharsets.UTF_8),
                    sign(central.getPrivate(), "[1]".getBytes(StandardCharsets.UTF_8))).detail())
                    .isEqualTo("expected the payload to be one JSON object");
            // what mosquitto_rr 2.0.11 sends for -f FILE; it read "bad-signature" before
            assertThat(gw.commands().handle("ping", new byte[0], sign(central.getPrivate(), new byte[0])).detail())
                    .isEqualTo("an empty payload: expected the command as a JSON object");

            // issued in local time with its offset is the same instant; without one it is refused, as docs/commands.md says
            OffsetDateTime berlin = OffsetDateTime.now(ZoneOffset.ofHours(1)).withNano(0);
            assertThat(handle(gw, "ping", envelope("ping", berlin.toString(), "{}")).status()).isEqualTo("ok");
            CentralCommands.Reply local = handle(gw, "ping", envelope("ping", berlin.toLocalDateTime().toString(), "{}"));
            assertThat(local.detail()).as(local.toString()).startsWith("expected issued as an RFC 3339 time such as 2026-12-01T10:00:00Z, got '");

            answeredOk(gw, "members.upsert", "{\"pseudonym\": \"m-1\", \"consent\": \"c-1\"}", "nothing here can recognise the member");
            answeredOk(gw, "members.upsert", "{\"pseudonym\": \"m-2\", \"consent\": \"c-2\", \"loyaltyHashes\": [\"h-2\"]}", null);
            answeredOk(gw, "pickups.upsert", "{\"orderId\": \"order-1\", \"pseudonym\": \"m-3\", \"ready\": true}",
                    "no member m-3 is held on this gateway");
            answeredOk(gw, "pickups.upsert", "{\"orderId\": \"order-2\", \"pseudonym\": \"m-2\", \"ready\": true}", null);

            // for storegw status and doctor: 5 taken (a ping, 2 members, 2 orders), 8 refused, the last the local time
            CentralCommands.Tally tally = gw.status().commands();
            assertThat(tally.members()).isEqualTo(2);
            assertThat(tally.taken()).isEqualTo(5);
            assertThat(tally.refused()).isEqualTo(8);
            assertThat(tally.lastReason()).isEqualTo("malformed");
            assertThat(tally.lastRefused()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ ping refused \\(malformed\\):"
                    + " expected issued as an RFC 3339 time such as 2026-12-01T10:00:00Z, got '.*'");
        }
    }

    /** Sends a fresh signed command that must be taken, with a warning containing {@code warning}, or none when null. */
    private void answeredOk(Gateway gw, String name, String body, String warning) throws Exception {
        CentralCommands.Reply reply = handle(gw, name, envelope(name, Instant.now(), body));
        assertThat(reply.status()).as(reply.toString()).isEqualTo("ok");
        if (warning == null) {
            assertThat(reply.result()).as(reply.toString()).doesNotContainKey("warning");
        } else {
            assertThat((String) reply.result().get("warning")).as(reply.toString()).contains(warning);
        }
    }

    private CentralCommands.Reply handle(Gateway gw, String name, byte[] payload) throws Exception {
        return gw.commands().handle(name, payload, sign(central.getPrivate(), payload));
    }

    private GatewayConfig config(String broker) {
        return TestConfigs.withoutSources(dir.resolve("gw"), broker, """
                commands:
                  publicKey: %s
                presence:
                  zones:
                    - {name: entrance, receivers: [door]}
                  window: 1s
                  wins: 1
                  minDwell: 2s
                """.formatted(publicKey));
    }

    private static void assertRefused(JsonNode reply, String reason) {
        assertThat(reply.path("status").asText()).as(reply.toString()).isEqualTo("refused");
        assertThat(reply.path("reason").asText()).as(reply.toString()).isEqualTo(reason);
    }

    /**
     * Paho reads a packet whole before anyone sees its size, so the uplink announces a Maximum Packet Size (the
     * largest event and 64 KB) and central's broker keeps back anything larger: a command of 1.2 MB gets no
     * answer at all (one of 100 KB is answered "malformed"), and the next command is answered.
     */
    @Test
    void aCommandOverTheLargestPacketTheUplinkTakesNeverReachesIt() throws Exception {
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            try (Gateway gw = Gateway.start(config(broker.uri()), Clock.systemUTC()); Commander cmd = new Commander(broker.uri())) {
                Await.until(Duration.ofSeconds(20), "the uplink", gw.uplink()::connected);
                byte[] large = envelope("ping", Instant.now(), "{\"pad\": \"" + "x".repeat(100 * 1024) + "\"}");
                assertRefused(cmd.send("ping", large, sign(central.getPrivate(), large)), "malformed");
                byte[] huge = envelope("ping", Instant.now(), "{\"pad\": \"" + "x".repeat(1_200_000) + "\"}");
                assertThat(cmd.sendUnanswered("ping", huge, sign(central.getPrivate(), huge), Duration.ofSeconds(3)))
                        .as("kept back by the broker").isTrue();
                byte[] ping = envelope("ping", Instant.now(), "{}");
                assertThat(cmd.send("ping", ping, sign(central.getPrivate(), ping)).path("status").asText()).isEqualTo("ok");
                assertThat(gw.metrics().count("storegw_commands_total", "command", "ping", "outcome", "malformed")).isEqualTo(1);
            }
        }
    }

    /**
     * After an outage the uplink drains the backlog with its whole window; a command central sends meanwhile is answered
     * then, not after the drain (an answer that waits too long for a place in the window is not sent at all).
     */
    @Test
    void aCommandDuringABacklogDrainIsAnsweredThen() throws Exception {
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            try (Gateway gw = Gateway.start(config(broker.uri()), Clock.systemUTC())) {
                EventIds ids = new EventIds(Clock.systemUTC());
                for (int b = 0; b < 200; b++) { // 100,000 events queued while central's broker is away
                    List<Event> batch = new ArrayList<>();
                    for (int i = 0; i < 500; i++) {
                        batch.add(new Event(ids.next(), EventCatalogue.STORE_FOOTFALL, Instant.now(), "door", DataClass.ANONYMOUS,
                                Map.of("n", i, "pad", "x".repeat(300))));
                    }
                    gw.outbox().append(batch).get(30, TimeUnit.SECONDS);
                }
                broker.start();
                try (Commander cmd = new Commander(broker.uri())) {
                    Await.until(Duration.ofSeconds(60), "the drain under way",
                            () -> gw.metrics().count("storegw_uplink_published_total") > 2_000);
                    for (int i = 0; i < 3; i++) {
                        byte[] ping = envelope("ping", Instant.now(), "{}");
                        JsonNode answer = cmd.send("ping", ping, sign(central.getPrivate(), ping));
                        assertThat(answer.path("status").asText()).isEqualTo("ok");
                        assertThat(answer.path("result").path("backlog").asLong()).as("answered while the backlog drained").isGreaterThan(10_000);
                    }
                }
            }
        }
    }

    private static String member(String pseudonym) {
        return """
                {"pseudonym": "%s", "consent": "consent-2026-0042", "eid": {"identityKey": "%s", "exponent": 10},
                 "loyaltyHashes": ["h-1"]}""".formatted(pseudonym, EID_KEY);
    }

    private static byte[] envelope(String name, Instant issued, String body) {
        return envelope(name, issued.toString(), body);
    }

    private static byte[] envelope(String name, String issued, String body) {
        return """
                {"name": "%s", "issued": "%s", "nonce": "%s", "body": %s}""".formatted(name, issued, UUID.randomUUID(), body)
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String sign(PrivateKey key, byte[] payload) throws Exception {
        Signature ed = Signature.getInstance("Ed25519");
        ed.initSign(key);
        ed.update(payload);
        return Base64.getEncoder().encodeToString(ed.sign());
    }

    private static String pem(KeyPair pair) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    private static List<JsonNode> rows(Gateway gw) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (OutboxRow row : gw.outbox().read(0, 100_000, Long.MAX_VALUE)) {
            out.add(JSON.readTree(row.payload()));
        }
        return out;
    }

    private static long queuedAbout(Gateway gw, String member) {
        try {
            return rows(gw).stream().filter(e -> e.path("data").path("member").asText().equals(member)).count();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Central's side of a command: publishes with a response topic and correlation data, waits for the answer. */
    private static final class Commander implements AutoCloseable {
        private final MqttAsyncClient client;
        private final BlockingQueue<MqttMessage> replies = new LinkedBlockingQueue<>();

        Commander(String broker) throws Exception {
            client = new MqttAsyncClient(broker, "central-commander", new MemoryPersistence());
            client.setCallback(new io.storegw.gateway.uplink.MqttCallbackAdapter() {
                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    replies.add(message);
                }
            });
            client.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
            client.subscribe(new MqttSubscription("central/replies/#", 1)).waitForCompletion(10_000);
        }

        JsonNode send(String name, byte[] payload, String signature) throws Exception {
            byte[] correlation = publish(name, payload, signature);
            MqttMessage reply = replies.poll(15, TimeUnit.SECONDS);
            assertThat(reply).as("an answer to " + name).isNotNull();
            assertThat(reply.getProperties().getCorrelationData()).isEqualTo(correlation);
            return JSON.readTree(reply.getPayload());
        }

        /** True when no answer came within {@code wait}. */
        boolean sendUnanswered(String name, byte[] payload, String signature, Duration wait) throws Exception {
            publish(name, payload, signature);
            return replies.poll(wait.toMillis(), TimeUnit.MILLISECONDS) == null;
        }

        /** Publishes the command; its correlation data. */
        private byte[] publish(String name, byte[] payload, String signature) throws Exception {
            byte[] correlation = HexFormat.of().parseHex(UUID.randomUUID().toString().replace("-", ""));
            MqttProperties p = new MqttProperties();
            p.setResponseTopic("central/replies/acme/s042/gw1");
            p.setCorrelationData(correlation);
            if (signature != null) {
                p.setUserProperties(List.of(new UserProperty("signature", signature)));
            }
            MqttMessage m = new MqttMessage(payload, 1, false, p);
            client.publish("storegw/v1/acme/s042/gw1/cmd/" + name, m).waitForCompletion(10_000);
            return correlation;
        }

        @Override
        public void close() throws Exception {
            client.disconnect().waitForCompletion(5_000);
            client.close();
        }
    }
}
