package io.storegw.gateway.journey;

import io.storegw.drivers.localmqtt.PahoReconnect;
import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.uplink.Backoff;
import io.storegw.gateway.uplink.OutageLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.tinylog.Logger;

/**
 * Announces arrivals on the store's own broker for staff displays: JSON on one topic, QoS 1, sent at
 * once without waiting. The store network needs no WAN for it. Paho keeps reconnecting by itself; an
 * arrival while the broker is away is counted and logged, not queued (it would be stale by then).
 */
public final class LocalMqttAlerts implements PickupAlerts, AutoCloseable {

    private static final int MAX_RETRY_SECONDS = 30;

    private final MqttAsyncClient client;
    private final String topic;
    private final LongAdder sent;
    private final LongAdder missed;
    private final MqttConnectionOptions options;
    private final String broker;
    private final ScheduledExecutorService retry = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pickup-alerts-connect");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;
    /** Used on the retry thread only. */
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(MAX_RETRY_SECONDS), new java.util.SplittableRandom());
    private final OutageLog outageLog = new OutageLog();
    /** The gateway's clock, for the outage's length in the log, as the uplink reads it. */
    private final Clock clock;

    public LocalMqttAlerts(String broker, String clientId, String username, Path passwordFile, String topic, Metrics metrics,
                           Clock clock) throws IOException {
        this.topic = topic;
        this.clock = clock;
        this.sent = PickupAlerts.counter(metrics, "local-mqtt", "sent");
        this.missed = PickupAlerts.counter(metrics, "local-mqtt", "missed");
        try {
            client = new MqttAsyncClient(broker, clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IOException("pickup alerts: cannot use the store broker " + broker + ": " + e.getMessage(), e);
        }
        metrics.gauge("storegw_pickup_alerts_connected", "Whether connected (1) to the store broker that staff displays listen on",
                () -> client.isConnected() ? 1 : 0);
        options = new MqttConnectionOptions();
        PahoReconnect.capped(options, Duration.ofSeconds(MAX_RETRY_SECONDS)); // once connected; the first connection is retried below
        options.setCleanStart(true);
        if (username != null) {
            options.setUserName(username);
        }
        if (passwordFile != null) {
            options.setPassword(Files.readString(passwordFile, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8));
        }
        this.broker = broker;
        connect();
    }

    /**
     * Paho reconnects by itself only after a connection it once had; a store broker that is not up when
     * the gateway starts is tried again here, with the uplink's backoff, up to 30 s apart.
     */
    private void connect() {
        if (closed) {
            return;
        }
        try {
            client.connect(options, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    Logger.info("Pickup alerts: connected to the store broker {}{}", broker, outageLog.connected(clock.millis()));
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    long delay = backoff.nextDelayMillis();
                    String why = failure == null ? "no reason given" : String.valueOf(failure.getMessage());
                    String line = outageLog.connectFailed(why, clock.millis());
                    if (line != null) {
                        Logger.warn("Pickup alerts: the store broker {} is not there ({}); trying again, up to {} s apart", broker, line,
                                MAX_RETRY_SECONDS);
                    } else {
                        Logger.debug("Pickup alerts: the store broker {} is not there ({}); trying again in {} ms", broker, why, delay);
                    }
                    retry.schedule(LocalMqttAlerts.this::connect, delay, TimeUnit.MILLISECONDS);
                }
            });
        } catch (MqttException e) {
            retry.schedule(this::connect, backoff.nextDelayMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void arrived(PickupDesk.PickupArrived arrived) {
        try {
            if (!client.isConnected()) {
                throw new IllegalStateException("not connected to the store broker");
            }
            client.publish(topic, new MqttMessage(CloudEventEncoder.JSON.writeValueAsBytes(arrived), 1, false, null));
            sent.increment();
        } catch (MqttException | IOException | RuntimeException e) {
            missed.increment();
            Logger.warn("Pickup alert for order {} not shown on {}: {}", arrived.orderId(), topic, e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        retry.shutdownNow();
        try {
            if (client.isConnected()) {
                client.disconnect(1_000);
            }
            client.close(true);
        } catch (MqttException e) {
            Logger.debug("Pickup alerts: {}", e.getMessage());
        }
    }
}
