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
import java.util.Collection;
import java.util.Iterator;
import java.util.regex.Pattern;

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

    /** How Jackson names the place where an unclosed object or array began: to the sender, only its line and column mean something. */
    private static final Pattern SOURCE_REDACTED = Pattern.compile(
            "\\[Source: REDACTED \\(`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled\\); line: (\\d+), column: (\\d+)]");

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
            throw new Invalid("not valid JSON" + where + ": " + SOURCE_REDACTED.matcher(e.getOriginalMessage()).replaceAll("line $1 column $2"));
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

    /**
     * The first of an object's field names that is not among {@code fields}, or null when all are: a
     * sender's typo is refused by name rather than read as a field left out.
     */
    public static String unknownField(JsonNode node, Collection<String> fields) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                return name;
            }
        }
        return null;
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
