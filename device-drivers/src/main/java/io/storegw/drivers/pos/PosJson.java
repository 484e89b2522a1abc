package io.storegw.drivers.pos;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Locale;

/**
 * The JSON side of till input: one bounded, strict reader (numbers with a fraction become
 * {@link BigDecimal}, never {@code double}; duplicate keys, trailing data and deep nesting refused)
 * and the small conversions every profile needs.
 */
final class PosJson {

    static final int MAX_DEPTH = 32;
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH).maxStringLength(64 * 1024).maxNumberLength(40).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // 16.50 stays 16.50: an amount keeps the scale the till wrote
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    private PosJson() {
    }

    /** Reads one JSON document; anything that is not one becomes a {@link PosFormatException} saying why. */
    static JsonNode read(byte[] body) throws PosFormatException {
        try (JsonParser p = MAPPER.createParser(body)) {
            JsonNode root = MAPPER.readTree(p);
            if (root == null || root.isMissingNode()) {
                throw new PosFormatException("empty document: expected a JSON object");
            }
            return root;
        } catch (StreamConstraintsException e) {
            throw new PosFormatException("JSON refused: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
            throw new PosFormatException("not valid JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new PosFormatException("cannot read the document: " + e.getMessage(), e);
        }
    }

    /** A field's text (numbers as written), or null when absent, null or empty. */
    static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (v.isTextual()) {
            return v.asText().isEmpty() ? null : v.asText();
        }
        return v.isNumber() ? v.numberValue() instanceof BigDecimal d ? d.toPlainString() : v.asText() : null;
    }

    /** A field that must be there. */
    static String required(JsonNode node, String field, String where) throws PosFormatException {
        String v = text(node, field);
        if (v == null) {
            throw new PosFormatException(where + ": no " + field);
        }
        return v;
    }

    /** A decimal amount written as a JSON number or a string (Shopify writes "12.50"), or null when absent. */
    static BigDecimal decimal(JsonNode node, String field, String where) throws PosFormatException {
        JsonNode v = node.path(field);
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
                // fall through to the error below
            }
        }
        throw new PosFormatException(where + ": " + field + " '" + v.asText() + "' is not an amount");
    }

    /** An amount that must be there. */
    static BigDecimal requiredDecimal(JsonNode node, String field, String where) throws PosFormatException {
        BigDecimal v = decimal(node, field, where);
        if (v == null) {
            throw new PosFormatException(where + ": no " + field);
        }
        return v;
    }

    /** Square's Money object: an integer amount in the currency's minor units. */
    static BigDecimal minorUnits(JsonNode money, String where) throws PosFormatException {
        JsonNode amount = money.path("amount");
        if (!amount.canConvertToExactIntegral() || !amount.isIntegralNumber()) {
            throw new PosFormatException(where + ": amount '" + amount.asText() + "' is not a whole number of minor units");
        }
        return new BigDecimal(amount.bigIntegerValue()).movePointLeft(fractionDigits(currency(money, where), where));
    }

    /** An ISO 4217 code from a Money object's {@code currency} field. */
    static String currency(JsonNode money, String where) throws PosFormatException {
        return currencyCode(text(money, "currency"), where);
    }

    static String currencyCode(String code, String where) throws PosFormatException {
        if (code == null || !code.matches("[A-Z]{3}")) {
            throw new PosFormatException(where + ": currency '" + code + "' is not an ISO 4217 code");
        }
        return code;
    }

    private static int fractionDigits(String code, String where) throws PosFormatException {
        try {
            int digits = Currency.getInstance(code).getDefaultFractionDigits();
            return Math.max(digits, 0);
        } catch (IllegalArgumentException e) {
            throw new PosFormatException(where + ": unknown currency " + code);
        }
    }

    /** Upper-case words of a vendor's enum, lower-cased for events ({@code CASH} is {@code cash}). */
    static String lower(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }
}
