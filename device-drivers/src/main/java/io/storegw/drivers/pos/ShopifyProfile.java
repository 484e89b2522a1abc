package io.storegw.drivers.pos;

import static io.storegw.drivers.pos.PosJson.decimal;
import static io.storegw.drivers.pos.PosJson.requiredDecimal;
import static io.storegw.drivers.pos.PosJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.observation.PosTransaction;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Shopify: the order webhook ({@code orders/create}, {@code orders/paid}; the Order object with
 * string decimals) and the refund webhook ({@code refunds/create}), told apart by their shape so a
 * spool file needs no topic header. Test orders, cancelled orders and orders not yet paid are skipped.
 * Only the customer's id is read from the customer; never names, e-mail, phone or addresses.
 */
final class ShopifyProfile implements JsonProfile {

    private static final Set<String> NOT_PAID = Set.of("pending", "authorized", "voided", "expired");

    @Override
    public PosDocument read(byte[] body, PosSettings settings) throws PosFormatException {
        JsonNode root = PosJson.read(body);
        JsonNode o = root.has("order") && root.get("order").isObject() ? root.get("order") : root;
        List<PosTransaction> out = new ArrayList<>();
        List<PosDocument.Skipped> skipped = new ArrayList<>();
        if (o.has("refund_line_items")) {
            refund(o, settings, out);
        } else if (o.has("line_items")) {
            order(o, settings, out, skipped);
        } else {
            throw new PosFormatException("not a Shopify order or refund: expected line_items or refund_line_items");
        }
        return new PosDocument(out, skipped);
    }

    private static void order(JsonNode o, PosSettings settings, List<PosTransaction> out, List<PosDocument.Skipped> skipped)
            throws PosFormatException {
        String id = PosJson.required(o, "id", "Shopify order");
        String where = "Shopify order " + id + (text(o, "name") == null ? "" : " (" + text(o, "name") + ")");
        if (o.path("test").asBoolean(false)) {
            skipped.add(new PosDocument.Skipped(where, "test order"));
            return;
        }
        if (text(o, "cancelled_at") != null) {
            skipped.add(new PosDocument.Skipped(where, "cancelled"));
            return;
        }
        String financial = text(o, "financial_status");
        if (financial != null && NOT_PAID.contains(financial)) {
            skipped.add(new PosDocument.Skipped(where, "not paid (" + financial + ")"));
            return;
        }
        String currency = PosJson.currencyCode(text(o, "currency"), where);
        BigDecimal grand = requiredDecimal(o, "total_price", where);
        BigDecimal tax = decimal(o, "total_tax", where);
        List<PosTransaction.Line> lines = new ArrayList<>();
        for (JsonNode item : o.path("line_items")) {
            BigDecimal quantity = requiredDecimal(item, "quantity", where + " line");
            BigDecimal price = requiredDecimal(item, "price", where + " line");
            BigDecimal discount = decimal(item, "total_discount", where);
            BigDecimal amount = price.multiply(quantity).subtract(discount == null ? BigDecimal.ZERO : discount);
            lines.add(new PosTransaction.Line(itemId(item, where), null, quantity, amount));
        }
        List<PosTransaction.Tender> tenders = new ArrayList<>();
        if (o.path("transactions").isArray()) {
            for (JsonNode t : o.path("transactions")) {
                String kind = text(t, "kind");
                if ("success".equals(text(t, "status")) && ("sale".equals(kind) || "capture".equals(kind))) {
                    tenders.add(new PosTransaction.Tender(gateway(t), requiredDecimal(t, "amount", where + " transaction")));
                }
            }
        } else if (o.path("payment_gateway_names").size() == 1) {
            // one gateway paid the whole order; with several the webhook does not say who paid what
            tenders.add(new PosTransaction.Tender(o.path("payment_gateway_names").get(0).asText(), grand));
        }
        Instant begin = settings.instant(PosJson.required(o, "created_at", where), where);
        Instant end = text(o, "processed_at") != null ? settings.instant(text(o, "processed_at"), where) : begin;
        String orderNumber = text(o, "order_number");
        out.add(new PosTransaction(end, begin, text(o, "location_id"), workstation(o), LocalDate.ofInstant(end, settings.storeZone()),
                orderNumber != null && orderNumber.matches("\\d{1,18}") ? Long.valueOf(orderNumber) : null, "order/" + id,
                grand.signum() < 0 ? PosTransaction.Kind.RETURN : PosTransaction.Kind.SALE, currency,
                new PosTransaction.Totals(grand, tax == null ? null : grand.subtract(tax), tax, decimal(o, "total_discounts", where)),
                lines, tenders, List.of(), Optional.ofNullable(text(o.path("customer"), "id")), "shopify"));
    }

    private static void refund(JsonNode r, PosSettings settings, List<PosTransaction> out) throws PosFormatException {
        String id = PosJson.required(r, "id", "Shopify refund");
        String where = "Shopify refund " + id;
        List<PosTransaction.Line> lines = new ArrayList<>();
        String location = null;
        String currency = null;
        for (JsonNode item : r.path("refund_line_items")) {
            BigDecimal quantity = requiredDecimal(item, "quantity", where + " line");
            BigDecimal subtotal = requiredDecimal(item, "subtotal", where + " line");
            lines.add(new PosTransaction.Line(itemId(item.path("line_item"), where), null, quantity.abs().negate(), subtotal.abs().negate()));
            location = location != null ? location : text(item, "location_id");
            currency = currency != null ? currency : text(item.path("subtotal_set").path("shop_money"), "currency_code");
        }
        List<PosTransaction.Tender> tenders = new ArrayList<>();
        BigDecimal grand = BigDecimal.ZERO;
        for (JsonNode t : r.path("transactions")) {
            if ("refund".equals(text(t, "kind")) && "success".equals(text(t, "status"))) {
                BigDecimal amount = requiredDecimal(t, "amount", where + " transaction").abs().negate();
                tenders.add(new PosTransaction.Tender(gateway(t), amount));
                grand = grand.add(amount);
                currency = text(t, "currency") != null ? text(t, "currency") : currency;
            }
        }
        if (tenders.isEmpty()) {
            grand = lines.stream().map(PosTransaction.Line::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        }
        currency = PosJson.currencyCode(currency != null ? currency : settings.currency(), where);
        String at = text(r, "processed_at") != null ? text(r, "processed_at") : PosJson.required(r, "created_at", where);
        Instant end = settings.instant(at, where);
        out.add(new PosTransaction(end, null, location, "shopify", LocalDate.ofInstant(end, settings.storeZone()), null,
                "refund/" + id, PosTransaction.Kind.RETURN, currency, PosTransaction.Totals.of(grand), lines, tenders, List.of(),
                Optional.empty(), "shopify"));
    }

    /** The SKU when the shop keeps them, else the variant, product or line id. */
    private static String itemId(JsonNode item, String where) throws PosFormatException {
        for (String field : List.of("sku", "variant_id", "product_id", "id")) {
            String v = text(item, field);
            if (v != null) {
                return v;
            }
        }
        throw new PosFormatException(where + ": a line item without sku, variant_id, product_id or id");
    }

    private static String workstation(JsonNode o) {
        String device = text(o, "device_id");
        return device != null ? device : text(o, "source_name") != null ? text(o, "source_name") : "shopify";
    }

    private static String gateway(JsonNode transaction) {
        String g = text(transaction, "gateway");
        return g == null ? "unknown" : g;
    }
}
