package io.storegw.drivers.localmqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.storegw.drivers.ble.identity.IdentityResolver;
import io.storegw.drivers.source.RecordingSink;
import io.storegw.drivers.testing.Mutations;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded random-input property test over the store broker's readers: mutations of the shared device payloads
 * (bytes flipped or cut; one value swapped for one of another type or out of range, or removed; a topic level
 * changed). Property: a message is taken or refused with a reason; nothing else escapes, because an exception out
 * of Paho's {@code messageArrived} ends the connection (and a retained message would end the next one too). The
 * seed is printed with any failure; rerun one with {@code -Dstoregw.fuzz.seed=N}.
 */
class LocalMqttFuzzTest {

    private static final int ROUNDS = Mutations.rounds(6_000);
    private static final int BATCH = 500;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> ODD_TEXT = List.of("", " ", "-1", "0", "1e400", "NaN", "99999999999999999999999999",
            "abc", ":", "::::", "iBeacon:", "iBeacon:x-y-z", "eddy:", "eddy:00-", "irk:", "irk:zz", "known:", "msft:cdp:",
            "apple:1005:", "\u0000", "💳", "a".repeat(300));
    private final Mutations mutations = new Mutations();
    private final long seed = mutations.seed();
    private final Random random = mutations.random();

    @TempDir
    Path dir;

    @Test
    void everyMessageIsTakenOrRefusedWithAReason() throws Exception {
        JsonNode payloads;
        try (InputStream in = getClass().getResourceAsStream("/localmqtt/local-mqtt-payloads.json")) {
            payloads = JSON.readTree(in);
        }
        List<String[]> samples = new ArrayList<>();
        payloads.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (v.isObject() && v.hasNonNull("topic")) {
                samples.add(new String[] {v.get("topic").asText(), v.path("payload").isMissingNode() ? "" : v.get("payload").toString()});
            }
        });
        samples.add(new String[] {"store/shelves/7/weight", "{\"data\":{\"grams\":1520},\"door\":false}"});
        samples.add(new String[] {"store/kiosks/2/touch", "3"});
        samples.add(new String[] {"espresense/rooms/entrance/status", "online"});
        RecordingSink sink = new RecordingSink();
        LocalMqttSource source = null;
        for (int round = 0; round < ROUNDS; round++) {
            if (round % BATCH == 0) {
                // A source keeps 1,000 dead letters a run; a fresh one per batch keeps every refusal's reason to read.
                if (source != null) {
                    assertThat(String.valueOf(source.problem())).as("(seed %d) bad input is no problem of the source's", seed).isEqualTo("not connected yet");
                    assertNoReaderFailed(dir.resolve("dead-" + (round / BATCH - 1)));
                }
                source = new LocalMqttSource(LocalMqttReadersTest.settings("tcp://127.0.0.1:1", dir.resolve("dead-" + round / BATCH),
                        LocalMqttReadersTest.SHELVES), new IdentityResolver(IdentityResolver.Settings.defaults(), List.of()),
                        Map.of(LocalMqttReadersTest.STAFF_IRK, "anna"), Clock.fixed(LocalMqttReadersTest.NOW, ZoneOffset.UTC));
            }
            String[] sample = mutations.pick(samples);
            String topic = random.nextInt(4) == 0 ? topic(sample[0]) : sample[0];
            byte[] bytes = sample[1].getBytes(StandardCharsets.UTF_8);
            byte[] changed = random.nextInt(3) == 0 ? mutations.bytes(bytes) : mutations.jsonValue(bytes, this::odd);
            byte[] payload = changed != null ? changed : mutations.pick(ODD_TEXT).getBytes(StandardCharsets.UTF_8); // a sample that is no JSON document
            try {
                source.onMessage(topic, payload, sink);
            } catch (RuntimeException bug) {
                throw new AssertionError("a message escaped as %s (seed %d) on %s:%n%s".formatted(bug, seed, topic,
                        new String(payload, StandardCharsets.UTF_8)), bug);
            }
        }
        assertThat(String.valueOf(source.problem())).as("(seed %d) bad input is no problem of the source's", seed).isEqualTo("not connected yet");
        assertNoReaderFailed(dir.resolve("dead-" + ((ROUNDS - 1) / BATCH)));
        // The mutations must reach the readers' inner paths, not only their first rejection.
        assertThat(sink.taken).as("observations taken (seed %d)", seed).hasSizeGreaterThan(ROUNDS / 10);
        assertThat(sink.refused).as("refusals (seed %d)", seed).isNotEmpty();
    }

    /** A reader that threw is refused too (the connection must go on), and says so in the dead letter's reason. */
    private void assertNoReaderFailed(Path deadLetters) throws IOException {
        if (!Files.isDirectory(deadLetters)) {
            return;
        }
        try (Stream<Path> files = Files.list(deadLetters)) {
            for (Path reason : files.filter(f -> f.toString().endsWith(".reason")).toList()) {
                String text = Files.readString(reason);
                if (text.contains(LocalMqttSource.READER_FAILED)) {
                    throw new AssertionError("(seed %d) %s; the message: %s".formatted(seed, text.strip(),
                            Files.readString(Path.of(reason.toString().replaceFirst("\\.reason$", "")))));
                }
            }
        }
    }

    /** One topic level swapped for an odd one. */
    private String topic(String topic) {
        String[] levels = topic.split("/", -1);
        levels[random.nextInt(levels.length)] = mutations.pick(ODD_TEXT).replace("/", "").replace("+", "").replace("#", "");
        return String.join("/", levels);
    }

    private JsonNode odd() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (random.nextInt(10)) {
            case 0 -> f.nullNode();
            case 1 -> f.booleanNode(true);
            case 2 -> f.numberNode(random.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE);
            case 3 -> f.numberNode(random.nextBoolean() ? 1e308 : -1e308);
            case 4 -> f.numberNode(random.nextInt(2001) - 1000);
            case 5 -> f.objectNode();
            case 6 -> f.arrayNode().add(f.nullNode());
            default -> f.textNode(mutations.pick(ODD_TEXT));
        };
    }
}
