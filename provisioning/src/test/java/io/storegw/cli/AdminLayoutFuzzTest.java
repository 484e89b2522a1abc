package io.storegw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.testing.Mutations;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded random-input property test over the admin socket's {@code PUT /layout}, the one route that takes a
 * document: mutations of a valid layout (a value anywhere swapped for one of another type, out of range or
 * removed; bytes flipped, cut or repeated) sent over the real socket. Property: each is answered 200 or 400 with
 * its reason, never a server error; the core loop goes on; and the layout the gateway kept opens again after a
 * restart. The seed is printed with any failure; rerun one with {@code -Dstoregw.fuzz.seed=N}.
 */
class AdminLayoutFuzzTest {

    private static final int ROUNDS = Mutations.rounds(400);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<Supplier<JsonNode>> ODD = List.of(NODES::nullNode, () -> NODES.textNode(""),
            () -> NODES.textNode("x".repeat(300)), () -> NODES.textNode("\u0000"), () -> NODES.numberNode(-1),
            () -> NODES.numberNode(Long.MAX_VALUE), () -> NODES.numberNode(1e308), () -> NODES.numberNode(0.5),
            () -> NODES.textNode("NaN"), () -> NODES.textNode("Infinity"), () -> NODES.booleanNode(true), NODES::arrayNode,
            NODES::objectNode, () -> NODES.arrayNode().add(NODES.nullNode()), () -> NODES.objectNode().putNull("door"),
            () -> NODES.textNode("entrance"), () -> NODES.textNode("door"), () -> NODES.textNode("till-1"));
    private static final String LAYOUT = """
            {"layout": {"zones": [{"name": "entrance", "receivers": ["door"]},
                                  {"name": "coffee", "beacons": ["ibeacon:e5b9e3a6-27e2-4c36-a257-7698da5fc140/7/1"]}],
                        "receiverOffsets": {"door": 3.0},
                        "beacons": ["ibeacon:e5b9e3a6-27e2-4c36-a257-7698da5fc140/100/42"],
                        "tills": {"till-9": "%s"}},
             "reason": "fuzz"}""".formatted("ab".repeat(32));

    private final Mutations mutations = new Mutations();
    private final long seed = mutations.seed();

    @TempDir
    Path dir;

    @Test
    void aLayoutIsTakenOrRefusedWithItsReasonAndWhatWasTakenOpensAgain() throws Exception {
        Path socket = dir.resolve("run").resolve("admin.sock");
        GatewayConfig config = TestConfigs.withoutSources(dir.resolve("state"), "tcp://127.0.0.1:" + TestBroker.freePort(),
                "  socket: " + socket + "\npresence:\n  zones:\n    - {name: entrance, receivers: [door]}\n");
        int taken = 0;
        int refused = 0;
        long version = 0;
        String kept;
        try (Gateway gw = Gateway.start(config, Clock.systemUTC())) {
            for (int round = 0; round < ROUNDS; round++) {
                String body = new String(mutations.any(LAYOUT.getBytes(StandardCharsets.UTF_8), () -> mutations.pick(ODD).get()),
                        StandardCharsets.UTF_8);
                AdminSocket.Answer answer = AdminSocket.request(socket, "PUT", "/layout?version=" + version, body);
                assertThat(answer.status()).as("(seed %d) %s on:%n%s", seed, answer.body(), body).isIn(200, 400);
                if (answer.status() == 200) {
                    version = CloudEventEncoder.JSON.readTree(answer.body()).path("version").asLong();
                    taken++;
                } else {
                    assertThat(answer.body()).as("(seed %d) a refusal says why", seed).isNotBlank();
                    refused++;
                }
            }
            gw.core().accept(new BleSighting(Instant.now(), "door", "member:m-1", -55, -59)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(gw.core().problem()).as("the core loop, seed %d", seed).isNull();
            AdminSocket.Answer now = AdminSocket.get(socket, "/layout");
            assertThat(now.status()).as("(seed %d) %s", seed, now.body()).isEqualTo(200);
            kept = CloudEventEncoder.JSON.readTree(now.body()).path("layout").toString();
        }
        try (Gateway gw = Gateway.start(config, Clock.systemUTC())) {
            AdminSocket.Answer again = AdminSocket.get(socket, "/layout");
            assertThat(CloudEventEncoder.JSON.readTree(again.body()).path("layout").toString())
                    .as("(seed %d) the layout after a restart", seed).isEqualTo(kept);
        }
        // The mutations must reach the layout's own checks, and leave some layouts valid.
        assertThat(taken).as("taken (seed %d)", seed).isGreaterThan(ROUNDS / 10);
        assertThat(refused).as("refused (seed %d)", seed).isGreaterThan(ROUNDS / 4);
    }
}
