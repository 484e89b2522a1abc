package io.storegw.rigs.bench;

import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.event.Event;
import io.storegw.gateway.event.GatewayIdentity;
import io.storegw.gateway.outbox.OutboxRow;
import io.storegw.gateway.uplink.NoDelaySockets;
import io.storegw.gateway.uplink.Uplink;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * The benchmark's baseline: raw Paho v5 publishing the gateway's own event payloads and MQTT 5 properties at QoS 1,
 * as many in flight as the broker's Receive Maximum allows (at most 64), with sequences 1..n as a gateway's.
 * {@link #main} runs it in a JVM of its own, so that it can be measured with the appliance's JVM options too.
 */
final class RawPaho implements AutoCloseable {

    static final int WINDOW_CAP = 64;
    static final String READY = "raw-paho: ready";

    private final GatewayIdentity id = new GatewayIdentity("bench", "s1", "raw");
    private final CloudEventEncoder encoder = new CloudEventEncoder(id);
    private final MqttAsyncClient client;
    private final int window;
    private final Semaphore permits;
    private final MqttActionListener release;

    RawPaho(String uri, String clientId) throws MqttException {
        client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setSocketFactory(NoDelaySockets.plain()); // the best raw Paho, not a handicapped one
        IMqttToken token = client.connect(options);
        token.waitForCompletion(10_000);
        Integer receiveMaximum = token.getResponseProperties().getReceiveMaximum();
        window = Math.min(WINDOW_CAP, receiveMaximum == null ? 65_535 : receiveMaximum);
        permits = new Semaphore(window);
        release = new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken t) {
                permits.release();
            }

            @Override
            public void onFailure(IMqttToken t, Throwable e) {
                permits.release();
            }
        };
    }

    int window() {
        return window;
    }

    /** Publishes {@code events} of {@code samples} (round) as sequences 1..events and waits for the last PUBACK. */
    void publish(List<Event> samples, int events) throws Exception {
        for (int i = 1; i <= events; i++) {
            permits.acquire();
            Event e = samples.get(i % samples.size());
            Event fresh = new Event(e.id(), e.type(), Instant.now(), e.subject(), e.dataClass(), e.data());
            OutboxRow row = new OutboxRow(i, e.type().eventClass(), e.id(), e.type().cloudEventType(), e.subject(),
                    id.topicOf(e.type()), 0, System.currentTimeMillis() + e.type().ttl().toMillis(), encoder.encode(fresh, i));
            client.publish(row.topic(), Uplink.message(row, id.source(), System.currentTimeMillis()), null, release);
        }
        if (!permits.tryAcquire(window, 5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("PUBACKs missing after 5 min");
        }
        permits.release(window);
    }

    @Override
    public void close() throws MqttException {
        client.disconnect().waitForCompletion(5_000);
        client.close();
    }

    /**
     * In a child JVM: {@code URI EVENTS}. Publishes the events once to warm up, prints {@link #READY}, and publishes them
     * again, measured by the parent, when a line comes on standard input; then lives on until standard input
     * closes, so that the parent can still read its CPU time and peak RSS (it once exited first, and the
     * benchmark stopped with "no CPU time for process").
     */
    public static void main(String[] args) throws Exception {
        int events = Integer.parseInt(args[1]);
        List<Event> samples = BenchCommand.sampleEvents(20_000);
        try (RawPaho paho = new RawPaho(args[0], "bench-raw-paho-appliance-jvm")) {
            paho.publish(samples, events);
            System.out.println(READY);
            System.out.flush();
            BufferedReader parent = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (parent.readLine() == null) {
                return;
            }
            paho.publish(samples, events);
            while (parent.readLine() != null) {
                // until the parent has measured this JVM and closes its end
            }
        }
    }
}
