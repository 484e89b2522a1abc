package io.storegw.drivers.pos;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.json.StrictJson;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Locale;

/** The small conversions every JSON profile needs, on the gateway's one strict JSON reader ({@link StrictJson}). */
final class PosJson {

    private PosJson() {
    }

    /** Reads one JSON document; anything that is not one becomes a {@link PosFormatException} saying why. */
    static JsonNode read(byte[] body) throws PosFormatException {
        try {
            return StrictJson.read(body);
        } catch (StrictJson.Invalid e) {
            throw new PosFormatException(e.getMessage());
        }
    }

    /** A field's text (numbers as written), or null when absent, null or empty. */
    static String text(JsonNode node, String field) {
        return StrictJson.text(node, field);
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
        try {
            return StrictJson.decimal(node.path(field));
        } catch (NumberFormatException e) {
            throw new PosFormatException(where + ": " + field + " '" + node.path(field).asText() + "' is not an amount");
        }
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
