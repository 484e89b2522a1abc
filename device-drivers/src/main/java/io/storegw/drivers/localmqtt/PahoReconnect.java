package io.storegw.drivers.localmqtt;

import java.time.Duration;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

/** Paho's automatic reconnect, waiting 1 s after a loss and doubling the wait up to a cap that holds. */
public final class PahoReconnect {

    private PahoReconnect() {
    }

    /**
     * Turns automatic reconnect on with waits capped at {@code cap}. Paho 1.2.5 ignores
     * {@code setAutomaticReconnectDelay(min, max)} (paho.mqtt.java#864) and doubles up to
     * {@code maxReconnectDelay}, 128 s unless set: a store broker back after a minute's outage could be
     * reconnected to up to two minutes later (the waits go 1, 2, 4 ... 128 s). The wait is one static field shared by every Paho
     * client in the JVM, so clients that fail together double it together; the cap bounds that too.
     */
    public static void capped(MqttConnectionOptions options, Duration cap) {
        options.setAutomaticReconnect(true);
        options.setAutomaticReconnectDelay(1, (int) Math.max(1, cap.toSeconds()));
        options.setMaxReconnectDelay((int) cap.toMillis());
    }
}
