package io.storegw.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.testing.Mutations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded random-input property test over the config loader: mutations of the shipped example configs (a value
 * swapped for one of another type, out of range or malformed YAML; a line removed, repeated or indented). Property:
 * a config is taken or refused with {@link ConfigException} and its problems; nothing else escapes (the gateway
 * would stop with a stack trace instead of naming the key). The seed is printed with any failure; rerun one with
 * {@code -Dstoregw.fuzz.seed=N}.
 */
class ConfigFuzzTest {

    private static final int ROUNDS = Mutations.rounds(3_000);
    private static final Pattern VALUE = Pattern.compile("(?m)^(\\s*-?\\s*[A-Za-z0-9_.@-]+:[ \\t]*)([^#\\n]+?)([ \\t]*(#.*)?)$");
    private static final List<String> ODD = List.of("", "~", "null", "-1", "0", "1e400", "-1e400", "99999999999999999999999",
            "abc", "[]", "{}", "[1, 2]", "{a: 1}", "'", "\"", "0x10", "1h", "-5s", "0s", "10XB", "9999999999TB", "NaN", ".inf",
            "true", "!!binary AAAA", "*nowhere", "&a x", "PT5S", "tcp://", "ssl://:0", "mqtt://x", "/", "..", "\u0000",
            "a".repeat(500), "2026-13-45", "-", ": x", "- a");
    private final Mutations mutations = new Mutations();
    private final long seed = mutations.seed();
    private final Random random = mutations.random();

    @TempDir
    Path dir;

    @Test
    void aConfigIsTakenOrRefusedWithItsProblemsNeverWithAnythingElse() throws Exception {
        List<String> samples = List.of(Files.readString(Path.of("..", "examples", "demo.yaml")),
                Files.readString(Path.of("..", "examples", "storegw.yaml")));
        int taken = 0;
        int refused = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String yaml = samples.get(random.nextInt(samples.size()));
            for (int mutations = 1 + random.nextInt(3); mutations > 0; mutations--) {
                yaml = mutate(yaml);
            }
            try {
                ConfigLoader.parse("fuzz.yaml", yaml, dir);
                taken++;
            } catch (ConfigException e) {
                assertThat(e.problems()).as("(seed %d) a refusal names its problems", seed).isNotEmpty();
                assertThat(e.problems()).as("(seed %d) one problem a key, top to bottom, then those without a line", seed)
                        .extracting(ConfigException.Problem::key).doesNotHaveDuplicates();
                assertThat(e.problems()).extracting(p -> p.line() == 0 ? Integer.MAX_VALUE : p.line()).isSorted();
                refused++;
            } catch (RuntimeException bug) {
                throw new AssertionError("the loader threw %s (seed %d) on:%n%s".formatted(bug, seed, yaml), bug);
            }
        }
        // The mutations must reach the loader's checks, not only YAML's syntax errors, and leave some configs valid.
        assertThat(taken).as("taken (seed %d)", seed).isGreaterThan(ROUNDS / 20);
        assertThat(refused).as("refused (seed %d)", seed).isGreaterThan(ROUNDS / 4);
    }

    private String mutate(String yaml) {
        List<String> lines = new ArrayList<>(Arrays.asList(yaml.split("\n", -1)));
        int at = random.nextInt(lines.size());
        switch (random.nextInt(6)) {
            case 0 -> lines.remove(at);
            case 1 -> lines.add(at, lines.get(at));
            case 2 -> lines.set(at, "  " + lines.get(at));
            default -> {
                Matcher m = VALUE.matcher(yaml);
                List<int[]> values = new ArrayList<>();
                while (m.find()) {
                    values.add(new int[] {m.start(2), m.end(2)});
                }
                int[] v = values.get(random.nextInt(values.size()));
                return yaml.substring(0, v[0]) + ODD.get(random.nextInt(ODD.size())) + yaml.substring(v[1]);
            }
        }
        return String.join("\n", lines);
    }
}
