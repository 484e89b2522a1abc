package io.storegw.drivers.pos;

import static io.storegw.drivers.pos.PosJson.decimal;
import static io.storegw.drivers.pos.PosJson.requiredDecimal;
import static io.storegw.drivers.pos.PosJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.observation.PosTransaction;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Lightspeed Retail (X-Series, formerly Vend): the {@code sale.update} webhook, a form post whose
 * field {@code payload} holds the sale as API 1.0 writes it (a bare JSON sale is taken too, for spool
 * files). Its {@code sale_date} is UTC without a zone and its prices exclude tax; it names no currency,
 * so the store's {@code sources.pos.currency} applies. Sales still open, parked or voided are skipped;
 * the walk-in customer is nobody.
 */
final class LightspeedProfile implements JsonProfile {

    private static final Set<String> CLOSED = Set.of("CLOSED", "ONACCOUNT_CLOSED", "LAYBY_CLOSED", "DISPATCHED_CLOSED",
            "PICKED_UP_CLOSED", "SERVICE_CLOSED");
    private static final String WALK_IN = "WALKIN";

    @Override
    public PosDocument read(byte[] body, PosSettings settings) throws PosFormatException {
        JsonNode sale = PosJson.read(json(body));
        String id = PosJson.required(sale, "id", "Lightspeed sale");
        String where = "Lightspeed sale " + id + (text(sale, "invoice_number") == null ? "" : " (invoice " + text(sale, "invoice_number") + ")");
        String status = PosJson.required(sale, "status", where);
        if (!CLOSED.contains(status)) {
            String reason = "VOIDED".equals(status) ? "voided" : "not closed (" + status + ")";
            return new PosDocument(List.of(), List.of(new PosDocument.Skipped(where, reason)));
        }
        String currency = text(sale, "currency") != null ? text(sale, "currency") : settings.currency();
        if (currency == null) {
            throw new PosFormatException(where + ": Lightspeed names no currency; set the store's in sources.pos.currency");
        }
        currency = PosJson.currencyCode(currency, where);
        JsonNode totals = sale.path("totals");
        BigDecimal net = requiredDecimal(totals.has("total_price") ? totals : sale, "total_price", where);
        BigDecimal tax = decimal(totals.has("total_tax") ? totals : sale, "total_tax", where);
        BigDecimal grand = tax == null ? net : net.add(tax);
        List<PosTransaction.Line> lines = new ArrayList<>();
        for (JsonNode p : sale.path("register_sale_products")) {
            if ("VOIDED".equals(text(p, "status"))) {
                continue;
            }
            String item = text(p, "sku") != null ? text(p, "sku") : PosJson.required(p, "product_id", where + " line");
            BigDecimal quantity = requiredDecimal(p, "quantity", where + " line");
            BigDecimal amount = decimal(p, "price_total", where);
            lines.add(new PosTransaction.Line(item, null, quantity,
                    amount != null ? amount : requiredDecimal(p, "price", where + " line").multiply(quantity)));
        }
        List<PosTransaction.Tender> tenders = new ArrayList<>();
        for (JsonNode p : sale.path("register_sale_payments")) {
            String type = text(p, "name") != null ? text(p, "name") : text(p, "label");
            tenders.add(new PosTransaction.Tender(type == null ? "unknown" : type, requiredDecimal(p, "amount", where + " payment")));
        }
        String date = text(sale, "sale_date") != null ? text(sale, "sale_date") : PosJson.required(sale, "created_at", where);
        Instant end = PosSettings.instant(date, ZoneOffset.UTC, where);
        String invoice = text(sale, "invoice_sequence") != null ? text(sale, "invoice_sequence") : text(sale, "invoice_number");
        boolean returned = text(sale, "return_for") != null || grand.signum() < 0;
        return new PosDocument(List.of(new PosTransaction(end, null, text(sale, "outlet_id"),
                PosJson.required(sale, "register_id", where), LocalDate.ofInstant(end, settings.storeZone()),
                invoice != null && invoice.matches("\\d{1,18}") ? Long.valueOf(invoice) : null, "sale/" + id,
                returned ? PosTransaction.Kind.RETURN : PosTransaction.Kind.SALE, currency,
                new PosTransaction.Totals(grand, net, tax, null), lines, tenders, List.of(), member(sale), "lightspeed")),
                List.of());
    }

    /** The form field {@code payload} of a webhook post, or the body itself when it is already JSON. */
    private static byte[] json(byte[] body) throws PosFormatException {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.startsWith("{")) {
            return body;
        }
        for (String field : text.split("&")) {
            int eq = field.indexOf('=');
            if (eq > 0 && field.substring(0, eq).equals("payload")) {
                try {
                    return URLDecoder.decode(field.substring(eq + 1), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new PosFormatException("the form field payload is not URL-encoded: " + e.getMessage());
                }
            }
        }
        throw new PosFormatException("not a Lightspeed webhook: no form field payload and not a JSON sale");
    }

    private static Optional<String> member(JsonNode sale) {
        if (WALK_IN.equalsIgnoreCase(text(sale.path("customer"), "customer_code"))) {
            return Optional.empty();
        }
        return Optional.ofNullable(text(sale, "customer_id"));
    }
}
