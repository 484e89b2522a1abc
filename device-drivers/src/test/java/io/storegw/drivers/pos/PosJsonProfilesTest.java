package io.storegw.drivers.pos;

import static io.storegw.drivers.pos.PosLogParserTest.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storegw.drivers.observation.PosTransaction;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The JSON profiles against hand-written payloads shaped like the vendors' documentation (see pos/SOURCES.txt). */
class PosJsonProfilesTest {

    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    static final ZoneId AUCKLAND = ZoneId.of("Pacific/Auckland");

    static byte[] resource(String name) throws Exception {
        try (InputStream in = PosJsonProfilesTest.class.getResourceAsStream("/pos/json/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    static PosDocument read(PosFormat format, String name, PosSettings settings) throws Exception {
        return new PosReader(settings).read(format, resource(name));
    }

    static PosDocument read(PosFormat format, String json) throws PosFormatException {
        return new PosReader(PosSettings.of(NEW_YORK)).read(format, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void squarePaymentWebhookEveryField() throws Exception {
        PosDocument doc = read(PosFormat.SQUARE, "square-payment-updated.json", PosSettings.of(NEW_YORK));
        assertThat(doc.skipped()).isEmpty();
        PosTransaction t = doc.transactions().get(0);
        assertThat(t).isEqualTo(new PosTransaction(Instant.parse("2026-11-21T10:15:01.902Z"), Instant.parse("2026-11-21T10:14:58.551Z"),
                "L1JC53TYHS40Z", "DEVICE_INSTALLATION_ID:4f2b9", LocalDate.parse("2026-11-21"), null, "order/CAISENgvlJ6jLWAzERDzjyHVybY",
                PosTransaction.Kind.SALE, "USD", PosTransaction.Totals.of(d("13.99")), List.of(),
                List.of(new PosTransaction.Tender("card", d("13.99"))), List.of(), Optional.of("JDKYHBWT1D4F8MFH63DBMEN8Y4"), "square"));
        assertThat(t.idempotencyKey()).isEqualTo("pos/square/order/CAISENgvlJ6jLWAzERDzjyHVybY");
        assertThat(t.toString()).doesNotContain("1111", "411111", "jane.doe", "Electric", "10003", "Counter 2");
    }

    @Test
    void squareRetrievedOrderIsTheSameSaleAsItsPayment() throws Exception {
        PosDocument doc = read(PosFormat.SQUARE, "square-order-retrieved.json", PosSettings.of(NEW_YORK));
        PosTransaction t = doc.transactions().get(0);
        assertThat(t).isEqualTo(new PosTransaction(Instant.parse("2026-11-21T10:15:01.950Z"), Instant.parse("2026-11-21T10:14:02.311Z"),
                "L1JC53TYHS40Z", "square", LocalDate.parse("2026-11-21"), null, "order/CAISENgvlJ6jLWAzERDzjyHVybY",
                PosTransaction.Kind.SALE, "USD", new PosTransaction.Totals(d("12.99"), null, d("0.72"), d("1.00")),
                List.of(new PosTransaction.Line("BEMYCSMIJL46OCDV4KYIKXIB", null, d("2"), d("8.72")),
                        new PosTransaction.Line("v8ZuEXpOJpb0bazLuvrLDB", null, d("1"), d("4.27"))),
                List.of(new PosTransaction.Tender("card", d("12.99"))),
                List.of(new PosTransaction.Reward("e6a4cd67-1e51-4b4d-ad3d-4c8f2b1a7c11", null)),
                Optional.of("JDKYHBWT1D4F8MFH63DBMEN8Y4"), "square"));
        PosTransaction payment = read(PosFormat.SQUARE, "square-payment-updated.json", PosSettings.of(NEW_YORK)).transactions().get(0);
        assertThat(t.idempotencyKey()).isEqualTo(payment.idempotencyKey());
        assertThat(t.toString()).doesNotContain("1111", "Coffee", "Dark roast");
    }

    @Test
    void squareRefundIsAReturnAndOrderNoticesAreSkipped() throws Exception {
        PosTransaction refund = read(PosFormat.SQUARE, "square-refund-updated.json", PosSettings.of(NEW_YORK)).transactions().get(0);
        assertThat(refund).isEqualTo(new PosTransaction(Instant.parse("2026-11-22T16:40:11.330Z"), null, "L1JC53TYHS40Z", "square",
                LocalDate.parse("2026-11-22"), null, "refund/hYy9pRFVxpDsO1FB05SunFWUe9JZY_ptNLtKFnl7Qp3bRVHjy8lCKEdN2O4fR0bBX5lSOm0sB",
                PosTransaction.Kind.RETURN, "USD", PosTransaction.Totals.of(d("-6.50")), List.of(),
                List.of(new PosTransaction.Tender("card", d("-6.50"))), List.of(), Optional.empty(), "square"));

        PosDocument notice = read(PosFormat.SQUARE, "square-order-updated-notice.json", PosSettings.of(NEW_YORK));
        assertThat(notice.transactions()).isEmpty();
        assertThat(notice.skipped()).extracting(PosDocument.Skipped::reason).singleElement().asString().contains("no lines or totals");
    }

    @Test
    void squareMinorUnitsFollowTheCurrency() throws Exception {
        PosTransaction yen = read(PosFormat.SQUARE, """
                {"type":"payment.updated","data":{"object":{"payment":{"id":"p1","status":"COMPLETED","created_at":"2026-11-23T01:00:00Z",
                 "total_money":{"amount":1500,"currency":"JPY"},"source_type":"CASH"}}}}""").transactions().get(0);
        assertThat(yen.total()).isEqualTo(d("1500"));
        assertThat(yen.transactionId()).isEqualTo("payment/p1");
        assertThat(yen.workstationId()).isEqualTo("square");
        PosDocument approved = read(PosFormat.SQUARE, """
                {"type":"payment.created","data":{"object":{"payment":{"id":"p2","status":"APPROVED","created_at":"2026-11-23T01:00:00Z",
                 "total_money":{"amount":1500,"currency":"USD"}}}}}""");
        assertThat(approved.skipped()).extracting(PosDocument.Skipped::reason).containsExactly("payment not completed (APPROVED)");
        assertThatThrownBy(() -> read(PosFormat.SQUARE, """
                {"type":"payment.updated","data":{"object":{"payment":{"id":"p3","status":"COMPLETED","created_at":"2026-11-23T01:00:00Z",
                 "total_money":{"amount":12.5,"currency":"USD"}}}}}""")).isInstanceOf(PosFormatException.class)
                .hasMessageContaining("not a whole number of minor units");
    }

    @Test
    void shopifyOrderWebhookEveryField() throws Exception {
        PosDocument doc = read(PosFormat.SHOPIFY, "shopify-orders-create.json", PosSettings.of(NEW_YORK));
        PosTransaction t = doc.transactions().get(0);
        assertThat(t).isEqualTo(new PosTransaction(Instant.parse("2026-11-21T19:02:13Z"), Instant.parse("2026-11-21T19:02:11Z"),
                "48752903", "2", LocalDate.parse("2026-11-21"), 1042L, "order/820982911946154508", PosTransaction.Kind.SALE, "CAD",
                new PosTransaction.Totals(d("50.85"), d("45.00"), d("5.85"), d("5.00")),
                List.of(new PosTransaction.Line("IPOD-342-N", null, d("1"), d("35.00")),
                        new PosTransaction.Line("49148385", null, d("2"), d("10.00"))),
                List.of(new PosTransaction.Tender("shopify_payments", d("50.85"))), List.of(),
                Optional.of("115310627314723954"), "shopify"));
        assertThat(t.toString()).doesNotContain("jon@", "Jon", "Snow", "Elm", "Ottawa", "K2P", "613", "IPod");
    }

    @Test
    void shopifyRefundWebhookIsAReturn() throws Exception {
        PosTransaction t = read(PosFormat.SHOPIFY, "shopify-refunds-create.json", PosSettings.of(NEW_YORK)).transactions().get(0);
        assertThat(t).isEqualTo(new PosTransaction(Instant.parse("2026-11-22T14:30:02Z"), null, "48752903", "shopify",
                LocalDate.parse("2026-11-22"), null, "refund/929361464", PosTransaction.Kind.RETURN, "CAD",
                PosTransaction.Totals.of(d("-39.55")), List.of(new PosTransaction.Line("IPOD-342-N", null, d("-1"), d("-35.0"))),
                List.of(new PosTransaction.Tender("shopify_payments", d("-39.55"))), List.of(), Optional.empty(), "shopify"));
        assertThat(t.toString()).doesNotContain("4242", "Visa", "changed their mind");
    }

    @Test
    void shopifyTestCancelledAndUnpaidOrdersAreSkipped() throws Exception {
        String order = """
                {"id":1,"currency":"EUR","total_price":"1.00","created_at":"2026-11-23T10:00:00Z","line_items":[],%s}""";
        assertThat(read(PosFormat.SHOPIFY, order.formatted("\"test\":true")).skipped())
                .extracting(PosDocument.Skipped::reason).containsExactly("test order");
        assertThat(read(PosFormat.SHOPIFY, order.formatted("\"cancelled_at\":\"2026-11-23T10:05:00Z\"")).skipped())
                .extracting(PosDocument.Skipped::reason).containsExactly("cancelled");
        assertThat(read(PosFormat.SHOPIFY, order.formatted("\"financial_status\":\"pending\"")).skipped())
                .extracting(PosDocument.Skipped::reason).containsExactly("not paid (pending)");
        assertThatThrownBy(() -> read(PosFormat.SHOPIFY, order.formatted("\"total_tax\":\"abc\"")))
                .hasMessageContaining("total_tax 'abc' is not an amount");
    }

    @Test
    void lightspeedFormWebhookEveryField() throws Exception {
        PosSettings nz = new PosSettings(AUCKLAND, 1 << 20, List.of(), "NZD");
        PosDocument doc = read(PosFormat.LIGHTSPEED, "lightspeed-sale-update.form", nz);
        PosTransaction t = doc.transactions().get(0);
        assertThat(t).isEqualTo(new PosTransaction(Instant.parse("2026-11-21T01:12:43Z"), null, "b1e0b6a6-f019-11e3-a0f5-b8ca3a64f8f4",
                "b1e198a9-f019-11e3-a0f5-b8ca3a64f8f4", LocalDate.parse("2026-11-21"), 1204L, "sale/0af7b240-ab24-11e7-eddc-9fce1b7ac2e7",
                PosTransaction.Kind.SALE, "NZD", new PosTransaction.Totals(d("35.00"), d("30.43"), d("4.57"), null),
                List.of(new PosTransaction.Line("10021", null, d("2"), d("8.7")),
                        new PosTransaction.Line("b8ca3a65-0183-11e4-fbb5-f3bc0e6a11c2", null, d("1"), d("21.73"))),
                List.of(new PosTransaction.Tender("Cash", d("20")), new PosTransaction.Tender("Eftpos", d("15"))), List.of(),
                Optional.of("0af7b240-ab24-11e7-eddc-9fce1c9cd0b1"), "lightspeed"));
        assertThat(t.toString()).doesNotContain("Aroha", "Ngata", "aroha@", "Wellington", "Tama", "LOY-77120");
    }

    @Test
    void lightspeedWithoutAStoreCurrencyIsRefusedAndOpenSalesAreSkipped() throws Exception {
        assertThatThrownBy(() -> read(PosFormat.LIGHTSPEED, "lightspeed-sale-update.form", PosSettings.of(AUCKLAND)))
                .isInstanceOf(PosFormatException.class).hasMessageContaining("Lightspeed names no currency; set the store's in sources.pos.currency");
        PosSettings nz = new PosSettings(AUCKLAND, 1 << 20, List.of(), "NZD");
        String saved = "{\"id\":\"s1\",\"status\":\"SAVED\",\"register_id\":\"r\",\"total_price\":1}";
        assertThat(new PosReader(nz).read(PosFormat.LIGHTSPEED, saved.getBytes(StandardCharsets.UTF_8)).skipped())
                .extracting(PosDocument.Skipped::reason).containsExactly("not closed (SAVED)");
        String walkIn = "{\"id\":\"s2\",\"status\":\"CLOSED\",\"register_id\":\"r\",\"sale_date\":\"2026-11-21 01:00:00\",\"total_price\":1,"
                + "\"customer_id\":\"c0\",\"customer\":{\"customer_code\":\"WALKIN\"}}";
        assertThat(new PosReader(nz).read(PosFormat.LIGHTSPEED, walkIn.getBytes(StandardCharsets.UTF_8)).transactions().get(0)
                .loyaltyNumber()).isEmpty();
        assertThatThrownBy(() -> new PosReader(nz).read(PosFormat.LIGHTSPEED, "type=sale.update".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("no form field payload");
    }

    /** Two documents {@code PosReaderFuzzTest} found a reader throwing on (a till would have heard no answer). */
    @Test
    void aSaleWithoutAStatusAndADateBeyondTheYear9999AreRefusedWithTheirReason() throws Exception {
        PosSettings nz = new PosSettings(AUCKLAND, 1 << 20, List.of(), "NZD");
        String noStatus = "{\"id\":\"s1\",\"register_id\":\"r\",\"total_price\":1}";
        assertThatThrownBy(() -> new PosReader(nz).read(PosFormat.LIGHTSPEED, noStatus.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(PosFormatException.class).hasNoCause().hasMessage("Lightspeed sale s1: no status");
        String farOff = new String(resource("generic-sales.json"), StandardCharsets.UTF_8).replace("2026-11-23T18:01:44+01:00", "+999999999-12-31T23:59:59Z");
        assertThatThrownBy(() -> read(PosFormat.GENERIC, farOff)).isInstanceOf(PosFormatException.class).hasNoCause()
                .hasMessageContaining("'+999999999-12-31T23:59:59Z' is not between the years 1970 and 9999");
    }

    @Test
    void genericShapeEveryField() throws Exception {
        PosDocument doc = read(PosFormat.GENERIC, "generic-sales.json", PosSettings.of(ZoneId.of("Europe/Berlin")));
        assertThat(doc.transactions()).containsExactly(new PosTransaction(Instant.parse("2026-11-23T17:01:44Z"),
                Instant.parse("2026-11-23T16:58:10Z"), "0042", "kasse-3", LocalDate.parse("2026-11-23"), 815L,
                "KASSE3-2026-11-23-000815", PosTransaction.Kind.SALE, "EUR",
                new PosTransaction.Totals(d("23.97"), d("20.14"), d("3.83"), d("2.00")),
                List.of(new PosTransaction.Line("4006381333931", "4006381333931", d("3"), d("7.47")),
                        new PosTransaction.Line("SVC-WRAP", null, d("1"), d("16.50"))),
                List.of(new PosTransaction.Tender("card", d("23.97"))), List.of(new PosTransaction.Reward("WINTER-2", d("-2.00"))),
                Optional.of("9276001234567"), "generic"));
        assertThat(doc.skipped()).containsExactly(new PosDocument.Skipped("transaction 2 (KASSE3-2026-11-23-000816)", "status training"));
    }

    @Test
    void genericShapeNamesWhatIsWrong() {
        String base = "\"workstationId\":\"t1\",\"endTime\":\"2026-11-23T10:00:00Z\",\"currency\":\"EUR\"";
        assertThatThrownBy(() -> read(PosFormat.GENERIC, "{" + base + ",\"sequenceNumber\":1,\"total\":\"1.00\"}"))
                .hasMessageContaining("unknown field 'total'");
        assertThatThrownBy(() -> read(PosFormat.GENERIC, "{" + base + ",\"totals\":{\"grand\":\"1.00\"}}"))
                .hasMessageContaining("needs a transactionId or a sequenceNumber");
        assertThatThrownBy(() -> read(PosFormat.GENERIC, "{" + base + ",\"sequenceNumber\":1,\"totals\":{\"grand\":\"1,00\"}}"))
                .hasMessageContaining("grand '1,00' is not an amount");
        assertThatThrownBy(() -> read(PosFormat.GENERIC, "{" + base + ",\"sequenceNumber\":1,\"totals\":{\"grand\":1},"
                + "\"lines\":[{\"itemId\":\"x\",\"gtin\":\"12ab\",\"quantity\":1,\"amount\":1}]}"))
                .hasMessageContaining("gtin '12ab'");
        assertThatThrownBy(() -> read(PosFormat.GENERIC, "{" + base.replace("EUR", "euro") + ",\"sequenceNumber\":1,\"totals\":{\"grand\":1}}"))
                .hasMessageContaining("currency 'euro' is not an ISO 4217 code");
    }

    @Test
    void invalidDeepOversizedAndDuplicatedJsonIsRefusedWithAReason() {
        // the sender is told where the array began, without Jackson's "[Source: REDACTED (`StreamReadFeature...` disabled)"
        assertThatThrownBy(() -> read(PosFormat.GENERIC, "{\"transactions\": [")).isInstanceOf(PosFormatException.class)
                .hasMessage("not valid JSON at line 1 column 19: Unexpected end-of-input: expected close marker for Array"
                        + " (start marker at line 1 column 18)");
        assertThatThrownBy(() -> read(PosFormat.GENERIC, "[".repeat(200) + "]".repeat(200)))
                .hasMessageContaining("JSON refused").hasMessageContaining("nesting depth");
        assertThatThrownBy(() -> read(PosFormat.GENERIC, "{\"sequenceNumber\":1,\"sequenceNumber\":2}"))
                .hasMessageContaining("Duplicate field 'sequenceNumber'");
        assertThatThrownBy(() -> read(PosFormat.GENERIC, "{} {}")).hasMessageContaining("not valid JSON");
        // found by LocalMqttFuzzTest: an exponent past a BigDecimal's threw Jackson's NumberFormatException through every reader
        assertThatThrownBy(() -> read(PosFormat.GENERIC, "{\"sequenceNumber\": -644e509352269977}")).isInstanceOf(PosFormatException.class)
                .hasMessageContaining("a number out of range");
        assertThatThrownBy(() -> read(PosFormat.SHOPIFY, "")).hasMessageContaining("empty document");
        byte[] big = ("{\"transactions\":[" + "{},".repeat(400) + "{}]}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> new PosReader(new PosSettings(NEW_YORK, 1024, List.of(), null)).read(PosFormat.GENERIC, big))
                .hasMessage("document larger than 1024 bytes");
    }

    @Test
    void fileNamesAnnounceTheirFormat() {
        assertThat(PosFormat.ofFileName("till3-0815.xml")).isEqualTo(PosFormat.POSLOG);
        assertThat(PosFormat.ofFileName("till3-0815")).isEqualTo(PosFormat.POSLOG);
        assertThat(PosFormat.ofFileName("hook-1.square.json")).isEqualTo(PosFormat.SQUARE);
        assertThat(PosFormat.ofFileName("HOOK.Shopify.JSON")).isEqualTo(PosFormat.SHOPIFY);
        assertThat(PosFormat.ofFileName("sale.json")).isEqualTo(PosFormat.GENERIC);
        assertThat(PosFormat.jsonProfile("poslog")).isEmpty();
        assertThat(PosFormat.jsonProfile("lightspeed")).contains(PosFormat.LIGHTSPEED);
    }
}
