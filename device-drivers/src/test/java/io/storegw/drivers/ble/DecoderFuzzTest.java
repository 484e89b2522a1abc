package io.storegw.drivers.ble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.ble.ad.AdStructures;
import io.storegw.drivers.ble.beacon.BeaconDecoder;
import io.storegw.drivers.ble.beacon.BeaconFrame;
import io.storegw.drivers.ble.beacon.UrlCodec;
import io.storegw.drivers.ble.hci.AdvertisingReport;
import io.storegw.drivers.ble.hci.BtSnoop;
import io.storegw.drivers.ble.hci.HciEvents;
import io.storegw.drivers.testing.Mutations;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * A bounded random-input property test over every decoder: random bytes and mutations of the real
 * vectors (bit flips, cuts, lying length bytes). Properties: a decoder throws nothing but its own
 * documented exception, and its answer depends only on the bytes inside the declared length (bytes
 * beyond it are changed and the answer must not move). The seed is printed with any failure;
 * rerun one with {@code -Dstoregw.fuzz.seed=N}.
 */
class DecoderFuzzTest {

    private static final int ROUNDS = Mutations.rounds(40_000);
    private final Mutations mutations = new Mutations();
    private final long seed = mutations.seed();
    private final Random random = mutations.random();

    @Test
    void decodersOnlyThrowTheirDocumentedExceptionAndNeverReadPastDeclaredLengths() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (JsonNode v : BleVectorsTest.load("/ble/vectors.json")) {
            if (!v.get("hex").asText().isEmpty()) {
                seeds.add(Bytes.parseHex(v.get("hex").asText()));
            }
        }
        for (JsonNode v : BleVectorsTest.load("/ble/etlm-vectors.json")) {
            seeds.add(Bytes.parseHex("1516aafe" + v.get("frame").asText()));
        }
        long frames = 0;
        long reports = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] input = round % 3 == 0 ? randomBytes(random.nextInt(80)) : mutate(seeds.get(random.nextInt(seeds.size())));
            frames += advertising(input);
            reports += hci(input);
            url(input);
            blueZ(input);
        }
        snoop();
        // the mutations must reach the decoders' interesting paths, not only their rejections
        assertThat(frames).as("frames decoded (seed %d)", seed).isGreaterThan(ROUNDS / 8);
        assertThat(reports).as("reports decoded (seed %d)", seed).isGreaterThan(ROUNDS / 50);
    }

    private int advertising(byte[] input) {
        List<BeaconFrame> decoded = only(() -> BeaconDecoder.decode(input), null, input);
        // the same bytes inside a larger buffer whose tail is noise: the walker must stop at the length given
        byte[] padded = Arrays.copyOf(input, input.length + 1 + random.nextInt(40));
        for (int i = input.length; i < padded.length; i++) {
            padded[i] = (byte) random.nextInt(256);
        }
        String inside = only(() -> AdStructures.parse(input).toString(), null, input);
        String bounded = only(() -> AdStructures.parse(padded, 0, input.length).toString(), null, input);
        if (!normalise(inside).equals(normalise(bounded))) {
            fail("AD walker read past its length (seed %d): %s", seed, Bytes.hex(input));
        }
        return decoded.size();
    }

    private int hci(byte[] input) {
        List<AdvertisingReport> reports = only(() -> HciEvents.parseEvent(input, 0, input.length), BleFormatException.class, input);
        only(() -> HciEvents.parseH4(input), BleFormatException.class, input);
        if (reports != null && input.length >= 2) {
            // bytes after the declared parameters must not change the answer
            int declaredEnd = 2 + (input[1] & 0xFF);
            byte[] changed = input.clone();
            for (int i = declaredEnd; i < changed.length; i++) {
                changed[i] ^= (byte) (1 + random.nextInt(255));
            }
            List<AdvertisingReport> again = only(() -> HciEvents.parseEvent(changed, 0, changed.length), BleFormatException.class, input);
            if (!describe(reports).equals(describe(again))) {
                fail("HCI parser read past the declared parameter length (seed %d): %s", seed, Bytes.hex(input));
            }
            for (AdvertisingReport r : reports) {
                only(() -> BeaconDecoder.decode(r.data()), null, r.data());
            }
            return reports.size();
        }
        return 0;
    }

    private void url(byte[] input) {
        only(() -> UrlCodec.decode(input, 0, input.length), IllegalArgumentException.class, input);
    }

    private void blueZ(byte[] input) {
        byte[] copy = input.clone();
        only(() -> BeaconDecoder.decodeBlueZ(Map.of(random.nextBoolean() ? 0x004C : random.nextInt(65536), copy),
                Map.of(random.nextBoolean() ? "0000feaa-0000-1000-8000-00805f9b34fb" : "not-a-uuid", copy)), null, input);
    }

    private void snoop() throws IOException {
        for (int round = 0; round < 2_000; round++) {
            byte[] file = randomBytes(random.nextInt(200));
            if (random.nextBoolean()) {
                System.arraycopy("btsnoop\0\0\0\0\1\0\0\7\321".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, file, 0,
                        Math.min(16, file.length));
            }
            try (BtSnoop s = BtSnoop.open(new ByteArrayInputStream(file))) {
                s.forEachReport(r -> { });
            } catch (BleFormatException expected) {
                // the documented refusal
            } catch (RuntimeException e) {
                fail("btsnoop reader threw %s (seed %d) on %s", e, seed, Bytes.hex(file));
            }
        }
    }

    private <T> T only(Callable<T> decode, Class<? extends Exception> documented, byte[] input) {
        try {
            return decode.call();
        } catch (Exception e) {
            if (documented != null && documented.isInstance(e)) {
                return null;
            }
            throw new AssertionError("undocumented %s (seed %d) on input %s".formatted(e, seed, Bytes.hex(input)), e);
        }
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private byte[] mutate(byte[] seedBytes) {
        byte[] b = seedBytes.clone();
        switch (random.nextInt(4)) {
            case 0 -> b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
            case 1 -> b = Arrays.copyOf(b, random.nextInt(b.length + 1));
            case 2 -> b[random.nextInt(b.length)] = (byte) random.nextInt(256); // often a length byte that lies
            default -> {
                for (int i = 0; i < 1 + random.nextInt(4); i++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
            }
        }
        return b;
    }

    /** Byte arrays print as identities in records' toString; compare their contents instead. */
    private static String normalise(String s) {
        return s == null ? "null" : s.replaceAll("\\[B@[0-9a-f]+", "[B");
    }

    private static String describe(List<AdvertisingReport> reports) {
        if (reports == null) {
            return "refused";
        }
        StringBuilder s = new StringBuilder();
        for (AdvertisingReport r : reports) {
            s.append(normalise(r.toString())).append(Bytes.hex(r.data())).append('\n');
        }
        return s.toString();
    }
}
