package io.storegw.gateway.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.storegw.drivers.testing.Mutations;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded random-input property test over central's commands, after the signature: mutations of a valid command
 * of every kind (a value anywhere swapped for one of another type, out of range or removed; bytes flipped, cut or
 * repeated), each signed with central's key, so that what a bug in central's code could send gets past the
 * verifier. Property: a command is applied or refused with a reason central can act on; never {@code failed},
 * which says the gateway broke, and the gateway takes the next command afterwards. The seed is printed with any
 * failure; rerun one with {@code -Dstoregw.fuzz.seed=N}.
 */
class CentralCommandsFuzzTest {

    private static final int ROUNDS = Mutations.rounds(600);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<Supplier<JsonNode>> ODD = List.of(NODES::nullNode, () -> NODES.textNode(""),
            () -> NODES.textNode("x".repeat(300)), () -> NODES.textNode("\u0000"), () -> NODES.numberNode(-1),
            () -> NODES.numberNode(Long.MAX_VALUE), () -> NODES.numberNode(1e308), () -> NODES.numberNode(0.5),
            () -> NODES.booleanNode(true), NODES::arrayNode, NODES::objectNode, () -> NODES.arrayNode().add(NODES.nullNode()),
            () -> NODES.arrayNode().add(NODES.objectNode()), () -> NODES.textNode("+999999999-12-31T23:59:59Z"),
            () -> NODES.textNode("entrance"), () -> NODES.textNode("door"), () -> NODES.textNode("m-1"),
            () -> NODES.textNode("0123456789abcdef0123456789abcdef"));
    /** Valid bodies of every command, as docs/commands.md gives them. */
    private static final List<String[]> COMMANDS = List.of(
            new String[] {"ping", "{}"},
            new String[] {"members.upsert", """
                    {"pseudonym": "m-1", "consent": "consent-2026-0042",
                     "eid": {"identityKey": "e2d9a3f40c11b4a7d09e7a5c3b1f2e60", "exponent": 10},
                     "appBeaconSecret": "000102030405060708090a0b0c0d0e0f", "loyaltyHashes": ["h-1", "h-2"]}"""},
            new String[] {"members.remove", "{\"pseudonym\": \"m-2\"}"},
            new String[] {"consent.revoke", "{\"pseudonym\": \"m-3\"}"},
            new String[] {"pickups.upsert", "{\"orderId\": \"order-1\", \"pseudonym\": \"m-1\", \"ready\": true}"},
            new String[] {"pickups.remove", "{\"orderId\": \"order-1\"}"},
            new String[] {"zones.replace", """
                    {"zones": [{"name": "entrance", "receivers": ["door"]},
                               {"name": "pickup", "receivers": ["desk"], "beacons": ["ibeacon:e5b9e3a6-27e2-4c36-a257-7698da5fc140/7/1"]}]}"""});
    /** The reasons a refusal of a signed command may give (docs/commands.md). */
    private static final Set<String> REASONS = Set.of("malformed", "stale", "replayed", "unknown-command");

    private final Mutations mutations = new Mutations();
    private final long seed = mutations.seed();

    @TempDir
    Path dir;

    @Test
    void aSignedCommandIsAppliedOrRefusedWithAReasonNeverFailed() throws Exception {
        KeyPair central = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path publicKey = Files.writeString(dir.resolve("central.pub"), "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(central.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        var config = TestConfigs.withoutSources(dir.resolve("gw"), "tcp://127.0.0.1:" + TestBroker.freePort(), """
                commands:
                  publicKey: %s
                presence:
                  zones:
                    - {name: entrance, receivers: [door]}
                """.formatted(publicKey));
        int applied = 0;
        int refused = 0;
        try (Gateway gw = Gateway.start(config, Clock.systemUTC())) {
            for (int round = 0; round < ROUNDS; round++) {
                String[] command = mutations.pick(COMMANDS);
                byte[] payload = mutations.any(envelope(command[0], command[1]), () -> mutations.pick(ODD).get());
                CentralCommands.Reply reply = gw.commands().handle(command[0], payload, sign(central, payload));
                assertThat(reply.status()).as("(seed %d) %s on:%n%s", seed, reply, new String(payload, StandardCharsets.UTF_8))
                        .isIn("ok", "refused");
                if (reply.status().equals("ok")) {
                    applied++;
                } else {
                    assertThat(reply.reason()).as("(seed %d) %s", seed, reply).isIn(REASONS);
                    refused++;
                }
            }
            byte[] ping = envelope("ping", "{}");
            assertThat(gw.commands().handle("ping", ping, sign(central, ping)).status()).as("the next command, seed %d", seed).isEqualTo("ok");
            assertThat(gw.core().problem()).as("the core loop, seed %d", seed).isNull();
        }
        // The mutations must reach the commands' own checks, and leave some commands valid.
        assertThat(applied).as("applied (seed %d)", seed).isGreaterThan(ROUNDS / 10);
        assertThat(refused).as("refused (seed %d)", seed).isGreaterThan(ROUNDS / 4);
    }

    private static byte[] envelope(String name, String body) {
        return """
                {"name": "%s", "issued": "%s", "nonce": "%s", "body": %s}""".formatted(name, Instant.now(), UUID.randomUUID(), body)
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String sign(KeyPair central, byte[] payload) throws Exception {
        Signature ed = Signature.getInstance("Ed25519");
        ed.initSign(central.getPrivate());
        ed.update(payload);
        return Base64.getEncoder().encodeToString(ed.sign());
    }
}
