package io.storegw.drivers.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/** The fuzz tests' mutations of real samples: bytes flipped, cut or repeated; one JSON value swapped or removed. */
public final class Mutations {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final long seed = Long.getLong("storegw.fuzz.seed", System.nanoTime());
    private final Random random = new Random(seed);

    /** Seeded from {@code -Dstoregw.fuzz.seed=N} to rerun a failure, else from the clock. */
    public Mutations() {
    }

    /** The rounds a fuzz test runs: {@code inSuite}, or as many as {@code -Dstoregw.fuzz.rounds=N} asks, for a longer search. */
    public static int rounds(int inSuite) {
        return Integer.getInteger("storegw.fuzz.rounds", inSuite);
    }

    /** What a failure prints, so that it can be run again. */
    public long seed() {
        return seed;
    }

    /** The seeded source of every choice a test makes, so that one seed replays a whole run. */
    public Random random() {
        return random;
    }

    /** Bytes flipped, cut or repeated one time in four, else one JSON value swapped or removed ({@link #jsonValue}). */
    public byte[] any(byte[] sample, Supplier<JsonNode> odd) throws IOException {
        byte[] changed = random.nextInt(4) == 0 ? null : jsonValue(sample, odd);
        return changed == null ? bytes(sample) : changed;
    }

    public <T> T pick(List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    /** A few bytes flipped, a cut, or a stretch repeated. */
    public byte[] bytes(byte[] sample) {
        if (sample.length == 0) {
            return sample;
        }
        byte[] out = sample.clone();
        switch (random.nextInt(3)) {
            case 0 -> {
                for (int i = 0; i < 1 + random.nextInt(4); i++) {
                    out[random.nextInt(out.length)] = (byte) random.nextInt(256);
                }
            }
            case 1 -> out = Arrays.copyOf(out, random.nextInt(out.length));
            default -> {
                int from = random.nextInt(out.length);
                int to = Math.min(out.length, from + 1 + random.nextInt(200));
                byte[] longer = Arrays.copyOf(out, out.length + to - from);
                System.arraycopy(out, from, longer, to, out.length - from);
                out = longer;
            }
        }
        return out;
    }

    /**
     * {@code sample} with one value anywhere swapped for {@code odd}'s (one of another type or out of range), or one
     * time in five removed; null when the sample is not a JSON object or array.
     */
    public byte[] jsonValue(byte[] sample, Supplier<JsonNode> odd) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(sample);
        } catch (IOException notJson) {
            return null;
        }
        if (root == null || !root.isContainerNode()) {
            return null;
        }
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode parent = pick(containers);
        if (parent instanceof ObjectNode o && o.size() > 0) {
            List<String> fields = new ArrayList<>();
            o.fieldNames().forEachRemaining(fields::add);
            String field = pick(fields);
            if (random.nextInt(5) == 0) {
                o.remove(field);
            } else {
                o.set(field, odd.get());
            }
        } else if (parent instanceof ArrayNode a && a.size() > 0) {
            a.set(random.nextInt(a.size()), odd.get());
        }
        return JSON.writeValueAsBytes(root);
    }

    private static void collect(JsonNode node, List<JsonNode> containers) {
        if (node.isContainerNode()) {
            containers.add(node);
            node.forEach(child -> collect(child, containers));
        }
    }
}
