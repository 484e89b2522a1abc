package io.storegw.drivers.pos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storegw.drivers.observation.PosTransaction;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PosLogParserTest {

    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    static PosDocument parse(String resource, ZoneId zone) throws Exception {
        try (InputStream in = PosLogParserTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return new PosLogParser(PosSettings.of(zone)).parse(in);
        }
    }

    static PosDocument parseText(String xml) throws PosFormatException {
        return new PosLogParser(PosSettings.of(BERLIN)).parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    static BigDecimal d(String s) {
        return new BigDecimal(s);
    }

    /** NCR ACS 2.1 (kjbreil/poslog SMALL.xml): a sign-on, then a sale with a loyalty member and six rewards. */
    @Test
    void ncrAcsSampleEveryField() throws Exception {
        PosDocument r = parse("/pos/ncr_acs_SMALL.xml", NEW_YORK);
        assertThat(r.skipped()).containsExactly(new PosDocument.Skipped("transaction 1 (sequence 160)", "control transaction"));
        assertThat(r.transactions()).hasSize(1);
        PosTransaction t = r.transactions().get(0);
        assertThat(t).isEqualTo(new PosTransaction(
                Instant.parse("2017-10-01T06:02:54Z"), null, "9", "34", LocalDate.parse("2017-09-30"), 161L, null,
                PosTransaction.Kind.SALE, "USD", new PosTransaction.Totals(d("1.07"), null, d("0.00"), d("0.00")),
                List.of(new PosTransaction.Line("00000000067591", "00000000067591", d("0.42"), d("1.26"))),
                List.of(new PosTransaction.Tender("CreditDebit", d("1.07"))),
                List.of(new PosTransaction.Reward("1027", d("1")), new PosTransaction.Reward("5123", d("-0.19")),
                        new PosTransaction.Reward("5177", d("0")), new PosTransaction.Reward("5079", d("0")),
                        new PosTransaction.Reward("5123", d("-0.19")), new PosTransaction.Reward("5123", d("1"))),
                Optional.of("0000000000000040000066677"), "poslog-2.1"));
        // the tender's authorisation data never comes along
        assertThat(t.toString()).doesNotContain("734277", "344665");
    }

    /** roqqio POSLog 6.0 (Schmied-IT/go-poslog): a sale to a customer whose name, address and birth data must not come along. */
    @Test
    void roqqioSampleEveryFieldAndNoPersonalData() throws Exception {
        PosDocument r = parse("/pos/roqqio_sale_with_customer.xml", BERLIN);
        assertThat(r.skipped()).isEmpty();
        PosTransaction t = r.transactions().get(0);
        assertThat(t).isEqualTo(new PosTransaction(
                Instant.parse("2024-07-31T09:46:13.327Z"), Instant.parse("2024-07-31T09:42:26.010Z"), "100", "10001",
                LocalDate.parse("2024-07-31"), 2L, null, PosTransaction.Kind.SALE, "EUR",
                new PosTransaction.Totals(d("26.990"), d("22.680"), d("4.310"), null),
                List.of(new PosTransaction.Line("8718824914497", null, d("1.0000"), d("26.990"))),
                List.of(new PosTransaction.Tender("Cash", d("26.990"))), List.of(),
                Optional.of("T220001293"), "poslog-6.0"));
        assertThat(t.toString()).doesNotContain("Erika", "Mustermann", "Heidestrasse", "Köln", "51147", "1964", "08-12", "Female");
    }

    static final String HEADER = "<POSLog xmlns=\"http://www.nrf-arts.org/IXRetail/namespace/\" xmlns:x=\"urn:vendor\" MajorVersion=\"6\" MinorVersion=\"0\">";

    static String transaction(String attributes, String inside) {
        return "<Transaction" + attributes + "><RetailStoreID>7</RetailStoreID><WorkstationID>3</WorkstationID>"
                + "<SequenceNumber>42</SequenceNumber><EndDateTime>2026-11-23T18:05:00</EndDateTime><CurrencyCode>EUR</CurrencyCode>"
                + inside + "</Transaction>";
    }

    @Test
    void returnsVoidsTrainingCancelAndZonelessTimes() throws Exception {
        PosDocument r = parseText(HEADER
                + transaction("", "<RetailTransaction><LineItem><Return><ItemID>A</ItemID><Quantity>2</Quantity>"
                        + "<ExtendedAmount>19.80</ExtendedAmount></Return></LineItem>"
                        + "<LineItem VoidFlag=\"true\"><Return><ItemID>B</ItemID><Quantity>1</Quantity><ExtendedAmount>5</ExtendedAmount></Return></LineItem>"
                        + "<LineItem><Tender TenderType=\"Cash\"><Amount>-19.80</Amount></Tender></LineItem>"
                        + "<Total TotalType=\"TransactionGrandAmount\">-19.80</Total>"
                        + "<x:Anything><BusinessDayDate>2026-11-22</BusinessDayDate></x:Anything></RetailTransaction>")
                + transaction(" TrainingModeFlag=\"true\"", "<RetailTransaction/>")
                + transaction("", "<RetailTransaction TransactionStatus=\"Canceled\"/>")
                + transaction(" CancelFlag=\"true\"", "<RetailTransaction/>")
                + transaction("", "<TenderControlTransaction/>")
                + "</POSLog>");
        assertThat(r.transactions()).singleElement().satisfies(t -> {
            assertThat(t.kind()).isEqualTo(PosTransaction.Kind.RETURN);
            assertThat(t.lines()).containsExactly(new PosTransaction.Line("A", null, d("-2"), d("-19.80")));
            assertThat(t.at()).as("no zone: the store's").isEqualTo(Instant.parse("2026-11-23T17:05:00Z"));
            assertThat(t.businessDay()).as("wherever it stands").isEqualTo(LocalDate.parse("2026-11-22"));
            assertThat(t.total()).isEqualByComparingTo("-19.80");
        });
        assertThat(r.skipped()).extracting(PosDocument.Skipped::reason)
                .containsExactly("training mode", "status Canceled", "cancelled", "not a retail transaction");
    }

    @Test
    void configuredLoyaltyPathsAreTriedAfterTheBuiltInOnes() throws Exception {
        String xml = HEADER + transaction("", "<RetailTransaction><x:Member><x:CardNo>C-77</x:CardNo></x:Member>"
                + "<Total TotalType=\"TransactionGrandAmount\">1.00</Total></RetailTransaction>") + "</POSLog>";
        PosLogParser parser = new PosLogParser(new PosSettings(BERLIN, 1 << 20, List.of("Member/CardNo"), null));
        assertThat(parser.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).transactions().get(0).loyaltyNumber())
                .contains("C-77");
        assertThat(parseText(xml).transactions().get(0).loyaltyNumber()).isEmpty();
    }

    @Test
    void hostileXmlIsRefusedBeforeAnythingIsResolved() {
        assertThatThrownBy(() -> parseText("<?xml version=\"1.0\"?><!DOCTYPE POSLog [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                + "<POSLog><Transaction><WorkstationID>&xxe;</WorkstationID></Transaction></POSLog>"))
                .isInstanceOf(PosFormatException.class).hasMessageContaining("DOCTYPE is not allowed");
        StringBuilder laughs = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
        for (int i = 1; i <= 9; i++) {
            laughs.append("<!ENTITY lol").append(i).append(" \"").append(("&lol" + (i == 1 ? "" : i - 1) + ";").repeat(10)).append("\">");
        }
        laughs.append("]><POSLog>&lol9;</POSLog>");
        assertThatThrownBy(() -> parseText(laughs.toString())).isInstanceOf(PosFormatException.class).hasMessageContaining("DOCTYPE");
        assertThatThrownBy(() -> parseText("<POSLog><Transaction><WorkstationID>&undeclared;</WorkstationID></Transaction></POSLog>"))
                .isInstanceOf(PosFormatException.class);
    }

    @Test
    void brokenOversizedDeepOrForeignDocumentsGetAClearReason() {
        assertThatThrownBy(() -> parseText(HEADER + "<Transaction><WorkstationID>3</Workstation></Transaction></POSLog>"))
                .isInstanceOf(PosFormatException.class).hasMessageStartingWith("not well-formed XML at line 1");
        String big = HEADER + transaction("", "<RetailTransaction>" + "<x:Pad>0123456789</x:Pad>".repeat(5_000) + "</RetailTransaction>") + "</POSLog>";
        PosLogParser small = new PosLogParser(new PosSettings(BERLIN, 64 * 1024, List.of(), null));
        assertThatThrownBy(() -> small.parse(new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(PosFormatException.class).hasMessage("document larger than 65536 bytes");
        assertThatThrownBy(() -> parseText(HEADER + "<a>".repeat(60) + "</a>".repeat(60) + "</POSLog>"))
                .hasMessageContaining("nested deeper than 48");
        assertThatThrownBy(() -> parseText("<Invoice/>")).hasMessageContaining("root element is <Invoice>");
        assertThatThrownBy(() -> parseText(HEADER + "</POSLog>")).hasMessage("POSLog without a Transaction");
        assertThatThrownBy(() -> parseText(HEADER + "<Transaction><RetailTransaction/></Transaction></POSLog>"))
                .hasMessage("transaction 1: no WorkstationID");
        assertThatThrownBy(() -> parseText(HEADER + transaction("", "<RetailTransaction><LineItem><Sale><ItemID>A</ItemID>"
                + "<ExtendedAmount>1,50</ExtendedAmount></Sale></LineItem></RetailTransaction>") + "</POSLog>"))
                .hasMessage("'1,50' is not a number");
    }

    /**
     * A document is read in the encoding it declares (UTF-8 when it declares none, a byte order mark or not), and one
     * that is not valid UTF-8 gets one clear reason: the JDK's parser also printed "[Fatal Error]" on stderr (the
     * journal) for every such post.
     */
    @Test
    void encodingsAreReadAsDeclaredAndBadUtf8IsOneReasonWithNothingOnStderr() throws Exception {
        String xml;
        try (InputStream in = PosLogParserTest.class.getResourceAsStream("/pos/roqqio_sale_with_customer.xml")) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        PosLogParser parser = new PosLogParser(PosSettings.of(BERLIN));
        PosDocument plain = parser.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        byte[] bom = ("\uFEFF" + xml).getBytes(StandardCharsets.UTF_8);
        assertThat(parser.parse(new ByteArrayInputStream(bom))).isEqualTo(plain);
        byte[] latin1 = (xml.replace("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"")).getBytes(StandardCharsets.ISO_8859_1);
        assertThat(parser.parse(new ByteArrayInputStream(latin1))).isEqualTo(plain);
        byte[] utf16 = (xml.replace("encoding=\"UTF-8\"", "encoding=\"UTF-16\"")).getBytes(StandardCharsets.UTF_16);
        assertThat(parser.parse(new ByteArrayInputStream(utf16))).isEqualTo(plain);

        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            byte[] bad = (HEADER + "<Transaction>").getBytes(StandardCharsets.UTF_8);
            byte[] withBadByte = java.util.Arrays.copyOf(bad, bad.length + 4);
            System.arraycopy(new byte[] {(byte) 0xF0, (byte) 0x28, (byte) 0x8C, (byte) 0x28}, 0, withBadByte, bad.length, 4);
            assertThatThrownBy(() -> parser.parse(new ByteArrayInputStream(withBadByte))).isInstanceOf(PosFormatException.class)
                    .hasMessage("not UTF-8 text at line 1 (a document that declares no other encoding is UTF-8)");
        } finally {
            System.setErr(stderr);
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
