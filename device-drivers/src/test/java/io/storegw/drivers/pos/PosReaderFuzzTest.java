package io.storegw.drivers.pos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.storegw.drivers.testing.Mutations;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A bounded random-input property test over the POS readers: mutations of the real sample documents (bytes flipped,
 * cut or repeated; a value swapped for one of another type or out of range). Property: a reader answers a document
 * or refuses it with its own reason, never by throwing something else (which {@code PosReader} turns into a refusal
 * that names the bug). The seed is printed with any failure; rerun one with {@code -Dstoregw.fuzz.seed=N}.
 */
class PosReaderFuzzTest {

    private static final int ROUNDS = Mutations.rounds(6_000);
    private static final List<String> ODD_TEXT = List.of("", " ", "-1", "0", "-0.0", "1e400", "-1e400", "NaN", "Infinity",
            "99999999999999999999999999999", "0.000000000000000000000000001", "1.5.5", "abc", "2026-13-45T99:99:99",
            "2026-02-30", "2026-11-23T08:00:00", "2026-11-23T08:00:00+25:00", "+999999999-12-31T23:59:59Z", "\u0000", "💳");
    private static final List<JsonNode> ODD_JSON;

    static {
        JsonNodeFactory f = JsonNodeFactory.instance;
        List<JsonNode> odd = new ArrayList<>();
        for (String s : ODD_TEXT) {
            odd.add(f.textNode(s));
        }
        odd.addAll(List.of(f.nullNode(), f.booleanNode(true), f.numberNode(-1), f.numberNode(0), f.numberNode(Long.MAX_VALUE),
                f.numberNode(Long.MIN_VALUE), f.numberNode(1e308), f.numberNode(new java.math.BigInteger("9".repeat(60))),
                f.numberNode(new java.math.BigDecimal("1e-400")), f.objectNode(), f.arrayNode(), f.arrayNode().add(f.nullNode())));
        ODD_JSON = List.copyOf(odd);
    }

    private final Mutations mutations = new Mutations();
    private final long seed = mutations.seed();
    private final Random random = mutations.random();

    @Test
    void readersAnswerOrRefuseWithTheirOwnReason() throws Exception {
        PosReader reader = new PosReader(new PosSettings(ZoneId.of("Europe/Berlin"), 2L * 1024 * 1024, List.of("customer.loyaltyId"), "EUR"));
        Map<PosFormat, byte[]> samples = Map.of(
                PosFormat.POSLOG, PosJsonProfilesTest.class.getResourceAsStream("/pos/roqqio_sale_with_customer.xml").readAllBytes(),
                PosFormat.SQUARE, PosJsonProfilesTest.resource("square-order-retrieved.json"),
                PosFormat.SHOPIFY, PosJsonProfilesTest.resource("shopify-orders-create.json"),
                PosFormat.LIGHTSPEED, PosJsonProfilesTest.resource("lightspeed-sale-update.form"),
                PosFormat.GENERIC, PosJsonProfilesTest.resource("generic-sales.json"));
        byte[] ncr = PosJsonProfilesTest.class.getResourceAsStream("/pos/ncr_acs_SMALL.xml").readAllBytes();
        byte[] refund = PosJsonProfilesTest.resource("shopify-refunds-create.json");
        List<PosFormat> formats = List.copyOf(samples.keySet());
        int read = 0;
        for (int round = 0; round < ROUNDS; round++) {
            PosFormat format = mutations.pick(formats);
            byte[] sample = format == PosFormat.POSLOG && random.nextBoolean() ? ncr
                    : format == PosFormat.SHOPIFY && random.nextBoolean() ? refund : samples.get(format);
            byte[] input = switch (random.nextInt(3)) {
                case 0 -> mutations.bytes(sample);
                default -> format == PosFormat.POSLOG ? xmlText(sample)
                        : format == PosFormat.LIGHTSPEED ? mutations.bytes(sample) : mutations.jsonValue(sample, () -> mutations.pick(ODD_JSON));
            };
            try {
                reader.read(format, input);
                read++;
            } catch (PosFormatException e) {
                // The documented answer to a bad document, unless it stands for a reader that threw something else.
                if (e.getCause() instanceof RuntimeException bug) {
                    throw new AssertionError("%s reader threw %s (seed %d) on:%n%s".formatted(format, bug, seed,
                            new String(input, StandardCharsets.UTF_8)), bug);
                }
            }
        }
        // The mutations must reach the readers' inner paths, not only their first rejection.
        assertThat(read).as("documents read (seed %d)", seed).isGreaterThan(ROUNDS / 10);
    }

    private static final Pattern TEXT = Pattern.compile(">([^<>]+)<");

    /** One element's text swapped for an odd one. */
    private byte[] xmlText(byte[] sample) {
        String xml = new String(sample, StandardCharsets.UTF_8);
        Matcher m = TEXT.matcher(xml);
        List<int[]> texts = new ArrayList<>();
        while (m.find()) {
            texts.add(new int[] {m.start(1), m.end(1)});
        }
        int[] at = mutations.pick(texts);
        String odd = mutations.pick(ODD_TEXT).replace("&", "&amp;").replace("<", "&lt;");
        return (xml.substring(0, at[0]) + odd + xml.substring(at[1])).getBytes(StandardCharsets.UTF_8);
    }
}
