package io.storegw.drivers.pos;

import static io.storegw.drivers.pos.PosJson.lower;
import static io.storegw.drivers.pos.PosJson.minorUnits;
import static io.storegw.drivers.pos.PosJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.observation.PosTransaction;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Square: {@code payment.*} and {@code refund.*} webhooks as Square sends them, and full Order
 * objects (a relay that retrieves the order, as {@code {"order": {...}}} or inside a webhook's
 * {@code data.object.order}). Money is in the currency's minor units. Square's {@code order.*}
 * notices carry no lines or totals and are skipped. A sale's payment and its order share the order
 * id, so whichever arrives first counts and the other is a duplicate.
 */
final class SquareProfile implements JsonProfile {

    @Override
    public PosDocument read(byte[] body, PosSettings settings) throws PosFormatException {
        JsonNode root = PosJson.read(body);
        JsonNode object = root.path("data").path("object");
        String event = text(root, "type");
        List<PosTransaction> out = new ArrayList<>();
        List<PosDocument.Skipped> skipped = new ArrayList<>();
        if (object.has("payment")) {
            payment(object.get("payment"), settings, out, skipped);
        } else if (object.has("refund")) {
            refund(object.get("refund"), settings, out, skipped);
        } else if (object.has("order") || root.has("order")) {
            order(object.has("order") ? object.get("order") : root.get("order"), settings, out, skipped);
        } else if (event != null) {
            skipped.add(new PosDocument.Skipped("Square " + event + " " + text(root.path("data"), "id"),
                    "no payment, refund or full order in it (order notices carry no lines or totals)"));
        } else {
            throw new PosFormatException("not a Square webhook or order: expected data.object.payment, data.object.refund or order");
        }
        return new PosDocument(out, skipped);
    }

    private static void payment(JsonNode p, PosSettings settings, List<PosTransaction> out, List<PosDocument.Skipped> skipped)
            throws PosFormatException {
        String where = completed(p, "payment", "status", skipped);
        if (where == null) {
            return;
        }
        String id = text(p, "id");
        JsonNode total = p.has("total_money") ? p.get("total_money") : p.path("amount_money");
        String currency = PosJson.currency(total, where);
        BigDecimal grand = minorUnits(total, where);
        Instant begin = settings.instant(PosJson.required(p, "created_at", where), where);
        Instant end = p.has("updated_at") ? settings.instant(text(p, "updated_at"), where) : begin;
        String orderId = text(p, "order_id");
        String device = text(p.path("device_details"), "device_id");
        out.add(new PosTransaction(end, begin, text(p, "location_id"), device != null ? device : "square",
                LocalDate.ofInstant(end, settings.storeZone()), null, orderId != null ? "order/" + orderId : "payment/" + id,
                PosTransaction.Kind.SALE, currency, PosTransaction.Totals.of(grand), List.of(),
                List.of(new PosTransaction.Tender(tenderType(text(p, "source_type")), grand)), List.of(),
                Optional.ofNullable(text(p, "customer_id")), "square"));
    }

    private static void refund(JsonNode r, PosSettings settings, List<PosTransaction> out, List<PosDocument.Skipped> skipped)
            throws PosFormatException {
        String where = completed(r, "refund", "status", skipped);
        if (where == null) {
            return;
        }
        String id = text(r, "id");
        JsonNode money = r.path("amount_money");
        BigDecimal grand = minorUnits(money, where).negate();
        Instant end = settings.instant(text(r, "updated_at") != null ? text(r, "updated_at") : PosJson.required(r, "created_at", where), where);
        out.add(new PosTransaction(end, null, text(r, "location_id"), "square", LocalDate.ofInstant(end, settings.storeZone()),
                null, "refund/" + id, PosTransaction.Kind.RETURN, PosJson.currency(money, where), PosTransaction.Totals.of(grand),
                List.of(), List.of(new PosTransaction.Tender(tenderType(text(r, "destination_type")), grand)), List.of(),
                Optional.empty(), "square"));
    }

    private static void order(JsonNode o, PosSettings settings, List<PosTransaction> out, List<PosDocument.Skipped> skipped)
            throws PosFormatException {
        String where = completed(o, "order", "state", skipped);
        if (where == null) {
            return;
        }
        String id = text(o, "id");
        JsonNode total = o.path("total_money");
        String currency = PosJson.currency(total, where);
        List<PosTransaction.Line> lines = new ArrayList<>();
        for (JsonNode item : o.path("line_items")) {
            lines.add(line(item, where, false));
        }
        for (JsonNode ret : o.path("returns")) {
            for (JsonNode item : ret.path("return_line_items")) {
                lines.add(line(item, where, true));
            }
        }
        List<PosTransaction.Tender> tenders = new ArrayList<>();
        for (JsonNode t : o.path("tenders")) {
            tenders.add(new PosTransaction.Tender(tenderType(text(t, "type")), minorUnits(t.path("amount_money"), where)));
        }
        List<PosTransaction.Reward> rewards = new ArrayList<>();
        for (JsonNode r : o.path("rewards")) {
            rewards.add(new PosTransaction.Reward(PosJson.required(r, "reward_tier_id", where + " reward"), null));
        }
        BigDecimal grand = minorUnits(total, where);
        Instant begin = settings.instant(PosJson.required(o, "created_at", where), where);
        String closed = text(o, "closed_at") != null ? text(o, "closed_at") : text(o, "updated_at");
        Instant end = closed != null ? settings.instant(closed, where) : begin;
        boolean onlyReturns = lines.stream().allMatch(l -> l.quantity().signum() < 0) && !lines.isEmpty();
        out.add(new PosTransaction(end, begin, text(o, "location_id"), "square", LocalDate.ofInstant(end, settings.storeZone()),
                null, "order/" + id, onlyReturns || grand.signum() < 0 ? PosTransaction.Kind.RETURN : PosTransaction.Kind.SALE,
                currency, new PosTransaction.Totals(grand, null, optionalMoney(o, "total_tax_money", where),
                        optionalMoney(o, "total_discount_money", where)),
                lines, tenders, rewards, Optional.ofNullable(text(o, "customer_id")), "square"));
    }

    /** Names the object when its status says COMPLETED; otherwise records why it is skipped and answers null. */
    private static String completed(JsonNode object, String kind, String statusField, List<PosDocument.Skipped> skipped)
            throws PosFormatException {
        String where = "Square " + kind + " " + PosJson.required(object, "id", "Square " + kind);
        String status = text(object, statusField);
        if ("COMPLETED".equals(status)) {
            return where;
        }
        skipped.add(new PosDocument.Skipped(where, kind + " not completed (" + status + ")"));
        return null;
    }

    private static PosTransaction.Line line(JsonNode item, String where, boolean returned) throws PosFormatException {
        String itemId = text(item, "catalog_object_id") != null ? text(item, "catalog_object_id") : PosJson.required(item, "uid", where + " line");
        BigDecimal quantity = PosJson.decimal(item, "quantity", where);
        if (quantity == null) {
            throw new PosFormatException(where + ": line " + itemId + " has no quantity");
        }
        BigDecimal amount = minorUnits(item.path("total_money"), where);
        return returned ? new PosTransaction.Line(itemId, null, quantity.abs().negate(), amount.abs().negate())
                : new PosTransaction.Line(itemId, null, quantity, amount);
    }

    private static BigDecimal optionalMoney(JsonNode o, String field, String where) throws PosFormatException {
        return o.has(field) ? minorUnits(o.get(field), where) : null;
    }

    private static String tenderType(String sourceType) {
        return sourceType == null ? "unknown" : lower(sourceType);
    }
}
