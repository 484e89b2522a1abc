package io.storegw.gateway.testing;

/** What tests' tills send: one-sale POSLog 6.0 documents, numbered per till. */
public final class TestTills {

    private TestTills() {
    }

    /** Till {@code till}'s sale number {@code seq}: a transaction central tells apart by workstation and sequence. */
    public static String poslog(int till, int seq) {
        return """
                <POSLog xmlns="http://www.nrf-arts.org/IXRetail/namespace/" MajorVersion="6" MinorVersion="0">\
                <Transaction><RetailStoreID>s042</RetailStoreID><WorkstationID>till-%d</WorkstationID>\
                <SequenceNumber>%d</SequenceNumber><BusinessDayDate>2026-11-23</BusinessDayDate>\
                <EndDateTime>2026-11-23T10:%02d:%02d</EndDateTime><CurrencyCode>EUR</CurrencyCode><RetailTransaction>\
                <LineItem><Sale><ItemID>4006381333931</ItemID><Quantity>1</Quantity><ExtendedAmount>2.49</ExtendedAmount></Sale></LineItem>\
                <LineItem><Tender TenderType="Cash"><Amount>2.49</Amount></Tender></LineItem>\
                <Total TotalType="TransactionGrandAmount">2.49</Total></RetailTransaction></Transaction></POSLog>"""
                .formatted(till, seq, seq / 60 % 60, seq % 60);
    }
}
