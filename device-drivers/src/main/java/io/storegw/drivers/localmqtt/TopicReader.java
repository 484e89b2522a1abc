package io.storegw.drivers.localmqtt;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.json.StrictJson;
import io.storegw.drivers.observation.Observation;
import java.time.Instant;
import java.util.List;

/** Turns the messages of one kind of local device into observations. */
interface TopicReader {

    /** The MQTT topic filter this reader subscribes to. */
    String filter();

    /**
     * The observations in one message; empty for messages that carry nothing to observe.
     *
     * @throws BadMessage when the message is not what this kind of device sends
     */
    List<Observation> read(String topic, byte[] payload, Instant at) throws BadMessage;

    /** The device a message came from, for its online/offline state; null when the topic names none. */
    String deviceOf(String topic);

    /**
     * Whether its topics or messages may name a shopper's device (a BLE address, an IRK): then a refused message
     * is told by this reader's filter only, never its topic or content, for logs name no address (docs/privacy.md).
     */
    default boolean mayNameShoppers() {
        return true;
    }

    /** A JSON payload, or the reason it is not one. */
    static JsonNode json(byte[] payload) throws BadMessage {
        try {
            return StrictJson.read(payload);
        } catch (StrictJson.Invalid e) {
            throw new BadMessage("malformed", e.getMessage());
        }
    }
}
