package io.storegw.drivers.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * The one reader for JSON that devices and tills send: bounded (nesting, string and number length),
 * strict (duplicate keys and trailing data refused), and exact (numbers with a fraction are
 * {@link BigDecimal}s keeping the scale they were written with, never {@code double}).
 */
public final class StrictJson {

    public static final int MAX_DEPTH = 32;
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH).maxStringLength(64 * 1024).maxNumberLength(40).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // 16.50 stays 16.50: an amount keeps the scale it was written with
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    /** Why a document is not acceptable JSON, in words for the sender. */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private StrictJson() {
    }

    /** Reads one JSON document. */
    public static JsonNode read(byte[] body) throws Invalid {
        try (JsonParser p = MAPPER.createParser(body)) {
            JsonNode root = MAPPER.readTree(p);
            if (root == null || root.isMissingNode()) {
                throw new Invalid("empty document: expected a JSON object");
            }
            return root;
        } catch (StreamConstraintsException e) {
            throw new Invalid("JSON refused: " + e.getOriginalMessage());
        } catch (NumberFormatException e) {
            // a number whose exponent does not fit a BigDecimal (1e9999999999): Jackson throws this, not a parse error
            throw new Invalid("JSON refused: a number out of range (" + e.getMessage() + ")");
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
            throw new Invalid("not valid JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Invalid("cannot read the document: " + e.getMessage());
        }
    }

    /** A field's text (numbers as written), or null when absent, null or empty. */
    public static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (v.isTextual()) {
            return v.asText().isEmpty() ? null : v.asText();
        }
        return v.isNumber() ? v.numberValue() instanceof BigDecimal d ? d.toPlainString() : v.asText() : null;
    }

    /** A number written as a JSON number or a string, or null when absent or null; an exception names it otherwise. */
    public static BigDecimal decimal(JsonNode v) {
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.decimalValue();
        }
        if (v.isTextual()) {
            try {
                return new BigDecimal(v.asText().strip());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new NumberFormatException("'" + v.asText() + "' is not a number");
    }
}
