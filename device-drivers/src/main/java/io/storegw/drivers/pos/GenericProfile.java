package io.storegw.drivers.pos;

import static io.storegw.drivers.pos.PosJson.decimal;
import static io.storegw.drivers.pos.PosJson.requiredDecimal;
import static io.storegw.drivers.pos.PosJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.json.StrictJson;
import io.storegw.drivers.observation.PosTransaction;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The generic shape for in-house tills, documented in {@code docs/pos.md}: one transaction object, or
 * {@code {"transactions": [...]}}. Field names are checked, so a typo is an error rather than a
 * silently missing total; amounts are JSON numbers or strings, read as decimals.
 */
final class GenericProfile implements JsonProfile {

    private static final Set<String> FIELDS = Set.of("transactionId", "storeId", "workstationId", "businessDay", "sequenceNumber",
            "beginTime", "endTime", "kind", "status", "currency", "totals", "lines", "tenders", "rewards", "loyaltyNumber");
    private static final Map<String, Set<String>> NESTED = Map.of(
            "totals", Set.of("grand", "net", "tax", "discount"),
            "lines", Set.of("itemId", "gtin", "quantity", "amount"),
            "tenders", Set.of("type", "amount"),
            "rewards", Set.of("promotionId", "amount"));

    @Override
    public PosDocument read(byte[] body, PosSettings settings) throws PosFormatException {
        JsonNode root = PosJson.read(body);
        List<PosTransaction> out = new ArrayList<>();
        List<PosDocument.Skipped> skipped = new ArrayList<>();
        if (root.has("transactions")) {
            known(root, Set.of("transactions"), "the document");
            if (!root.get("transactions").isArray() || root.get("transactions").isEmpty()) {
                throw new PosFormatException("transactions: expected a non-empty array");
            }
            int i = 0;
            for (JsonNode t : root.get("transactions")) {
                transaction(t, "transaction " + ++i, settings, out, skipped);
            }
        } else {
            transaction(root, "transaction 1", settings, out, skipped);
        }
        return new PosDocument(out, skipped);
    }

    private static void transaction(JsonNode t, String index, PosSettings settings, List<PosTransaction> out,
                                    List<PosDocument.Skipped> skipped) throws PosFormatException {
        if (!t.isObject()) {
            throw new PosFormatException(index + ": expected an object");
        }
        known(t, FIELDS, index);
        String sequence = text(t, "sequenceNumber");
        String id = text(t, "transactionId");
        String where = index + (id != null ? " (" + id + ")" : sequence != null ? " (sequence " + sequence + ")" : "");
        String status = text(t, "status");
        if (status != null && !status.equals("completed")) {
            skipped.add(new PosDocument.Skipped(where, "status " + status));
            return;
        }
        if (sequence != null && !sequence.matches("\\d{1,18}")) {
            throw new PosFormatException(where + ": sequenceNumber '" + sequence + "' is not a whole number");
        }
        if (sequence == null && id == null) {
            throw new PosFormatException(where + ": needs a transactionId or a sequenceNumber");
        }
        JsonNode totals = t.path("totals");
        if (!totals.isObject()) {
            throw new PosFormatException(where + ": no totals object");
        }
        known(totals, NESTED.get("totals"), where + " totals");
        BigDecimal grand = requiredDecimal(totals, "grand", where + " totals");
        List<PosTransaction.Line> lines = new ArrayList<>();
        for (JsonNode l : items(t, "lines", where)) {
            String gtin = text(l, "gtin");
            if (gtin != null && !gtin.matches("\\d{8,14}")) {
                throw new PosFormatException(where + ": gtin '" + gtin + "' is not 8 to 14 digits");
            }
            lines.add(new PosTransaction.Line(PosJson.required(l, "itemId", where + " line"), gtin,
                    requiredDecimal(l, "quantity", where + " line"), requiredDecimal(l, "amount", where + " line")));
        }
        List<PosTransaction.Tender> tenders = new ArrayList<>();
        for (JsonNode x : items(t, "tenders", where)) {
            tenders.add(new PosTransaction.Tender(PosJson.required(x, "type", where + " tender"), requiredDecimal(x, "amount", where + " tender")));
        }
        List<PosTransaction.Reward> rewards = new ArrayList<>();
        for (JsonNode x : items(t, "rewards", where)) {
            rewards.add(new PosTransaction.Reward(PosJson.required(x, "promotionId", where + " reward"), decimal(x, "amount", where)));
        }
        Instant end = settings.instant(PosJson.required(t, "endTime", where), where);
        Instant begin = text(t, "beginTime") == null ? null : settings.instant(text(t, "beginTime"), where);
        LocalDate day;
        try {
            day = text(t, "businessDay") != null ? LocalDate.parse(text(t, "businessDay")) : LocalDate.ofInstant(end, settings.storeZone());
        } catch (DateTimeParseException e) {
            throw new PosFormatException(where + ": businessDay '" + text(t, "businessDay") + "' is not a date (YYYY-MM-DD)");
        }
        String kind = text(t, "kind");
        if (kind != null && !kind.equals("sale") && !kind.equals("return")) {
            throw new PosFormatException(where + ": kind '" + kind + "' is neither sale nor return");
        }
        boolean returned = kind != null ? kind.equals("return") : grand.signum() < 0;
        String currency = PosJson.currencyCode(text(t, "currency") != null ? text(t, "currency") : settings.currency(), where);
        out.add(new PosTransaction(end, begin, text(t, "storeId"), PosJson.required(t, "workstationId", where), day,
                sequence == null ? null : Long.valueOf(sequence), id, returned ? PosTransaction.Kind.RETURN : PosTransaction.Kind.SALE,
                currency, new PosTransaction.Totals(grand, decimal(totals, "net", where), decimal(totals, "tax", where),
                        decimal(totals, "discount", where)),
                lines, tenders, rewards, Optional.ofNullable(text(t, "loyaltyNumber")), "generic"));
    }

    private static List<JsonNode> items(JsonNode t, String field, String where) throws PosFormatException {
        JsonNode array = t.path(field);
        if (array.isMissingNode() || array.isNull()) {
            return List.of();
        }
        if (!array.isArray()) {
            throw new PosFormatException(where + ": " + field + " is not an array");
        }
        List<JsonNode> items = new ArrayList<>();
        for (JsonNode item : array) {
            if (!item.isObject()) {
                throw new PosFormatException(where + ": " + field + " holds something other than objects");
            }
            known(item, NESTED.get(field), where + " " + field);
            items.add(item);
        }
        return items;
    }

    private static void known(JsonNode node, Set<String> fields, String where) throws PosFormatException {
        String unknown = StrictJson.unknownField(node, fields);
        if (unknown != null) {
            throw new PosFormatException(where + ": unknown field '" + unknown + "' (the generic shape is in docs/pos.md)");
        }
    }
}
