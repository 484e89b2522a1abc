package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.gateway.event.EventClass;
import io.storegw.gateway.outbox.OutboxRow;
import java.nio.charset.StandardCharsets;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;

/** What one outbox row becomes on the wire. */
class UplinkMessageTest {

    private static OutboxRow row(long expires) {
        return new OutboxRow(7, EventClass.NORMAL, "id-7", "io.storegw.pickup.arrived.v1", "pickup/order-1",
                "storegw/v1/acme/s042/gw1/evt/pickup/arrived", 1_000, expires, "{}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theRestOfItsTtlTravelsAsTheMessageExpirySoABrokerDropsWhatTheGatewayWould() {
        long now = 1_000_000;
        MqttMessage m = Uplink.message(row(now + 15 * 60_000 - 1), "urn:storegw:acme:s042:gw1", now);
        assertThat(m.getQos()).isEqualTo(1);
        assertThat(m.getProperties().getMessageExpiryInterval()).isEqualTo(900L);
        assertThat(Uplink.message(row(now - 5_000), "src", now).getProperties().getMessageExpiryInterval())
                .as("past its TTL in flight: the least the protocol allows, not never").isEqualTo(1L);
        assertThat(Uplink.message(row(0), "src", now).getProperties().getMessageExpiryInterval()).as("no TTL").isNull();
        assertThat(m.getProperties().getUserProperties()).extracting(p -> p.getKey() + "=" + p.getValue())
                .contains("id=id-7", "type=io.storegw.pickup.arrived.v1", "subject=pickup/order-1");
    }
}
