package io.storegw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The journey's events as a person reads them in {@code storegw events tail}. */
class EventLinesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String line(String type, String data) throws Exception {
        return EventLines.line(JSON.readTree("{\"type\": \"io.storegw." + type + ".v1\", \"time\": \"2026-12-01T10:00:00Z\","
                + " \"sequence\": \"0000000000000042\", \"data\": " + data + "}"));
    }

    @Test
    void journeyPickupsAndOccupancyReadAsSentences() throws Exception {
        assertThat(line("journey.attributed", """
                {"member": "m-7", "currency": "EUR", "total": "23.90", "entryToCheckoutSeconds": 512,
                 "zones": [{"zone": "entrance", "dwellSeconds": 40}, {"zone": "bakery", "dwellSeconds": 300}]}"""))
                .contains("#42 ").endsWith("member m-7 paid EUR 23.90 512s after entering; zones entrance > bakery");
        assertThat(line("pickup.arrived", "{\"member\": \"m-7\", \"orderId\": \"order-1\", \"zone\": \"pickup\"}"))
                .endsWith("member m-7 is here for order order-1 (pickup)");
        assertThat(line("store.occupancy", """
                {"bucketStart": "2026-12-01T10:00:00Z", "bucketEnd": "2026-12-01T10:01:00Z", "inside": 12, "phones": 9, "members": null, "k": 5}"""))
                .contains("inside 12 by the doors, 9 phones, <5 members");
        assertThat(line("pos.transaction.completed", """
                {"workstation": "till-1", "sequenceNumber": 9, "currency": "EUR", "total": "1.00", "lines": [{}], "member": "m-7", "loyaltyRef": null}"""))
                .endsWith("till-1 #9  EUR 1.00, 1 line, member m-7");
    }

    @Test
    void theStateLineCountsTheBacklogInWordsThatAgree() throws Exception {
        assertThat(EventLines.state(JSON.readTree("{\"state\": \"online\", \"reason\": null, \"backlogRows\": 1}")))
                .endsWith("gateway is online (backlog 1 event)");
        assertThat(EventLines.state(JSON.readTree("{\"state\": \"offline\", \"reason\": \"shutdown\", \"backlogRows\": 2000}")))
                .endsWith("gateway is offline: shutdown (backlog 2,000 events)");
    }
}
