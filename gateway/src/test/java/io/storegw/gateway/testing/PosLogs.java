package io.storegw.gateway.testing;

/** POSLog documents for tests that need a sale of a given size: each line item adds about 120 bytes. */
public final class PosLogs {

    private PosLogs() {
    }

    /** One cash sale at till {@code till-N} (store s042) with {@code lines} line items of one cent each. */
    public static String sale(int till, int seq, int lines) {
        StringBuilder items = new StringBuilder(lines * 120);
        for (int i = 0; i < lines; i++) {
            items.append("<LineItem><Sale><ItemID>").append(4006381000000L + i)
                    .append("</ItemID><Quantity>1</Quantity><ExtendedAmount>0.01</ExtendedAmount></Sale></LineItem>");
        }
        return """
                <POSLog xmlns="http://www.nrf-arts.org/IXRetail/namespace/" MajorVersion="6" MinorVersion="0">\
                <Transaction><RetailStoreID>s042</RetailStoreID><WorkstationID>till-%d</WorkstationID>\
                <SequenceNumber>%d</SequenceNumber><BusinessDayDate>2026-11-23</BusinessDayDate>\
                <EndDateTime>2026-11-23T10:00:%02d</EndDateTime><CurrencyCode>EUR</CurrencyCode><RetailTransaction>%s\
                <LineItem><Tender TenderType="Cash"><Amount>100.00</Amount></Tender></LineItem>\
                <Total TotalType="TransactionGrandAmount">100.00</Total></RetailTransaction></Transaction></POSLog>"""
                .formatted(till, seq, seq % 60, items);
    }
}
