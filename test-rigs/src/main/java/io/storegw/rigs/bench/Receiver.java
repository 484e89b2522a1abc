package io.storegw.rigs.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import io.storegw.gateway.uplink.MqttCallbackAdapter;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * The benchmark's central: counts events, marks their sequence numbers, and samples latency from the
 * CloudEvents {@code time} to receipt. Reads only those two fields, so it stays faster than what it measures.
 */
final class Receiver implements AutoCloseable {

    private final MqttAsyncClient client;
    private final AtomicLong count = new AtomicLong();
    private final BitSet seen = new BitSet();
    private volatile long[] latencies = new long[0];
    private volatile int sampled;
    private volatile boolean sampling;

    Receiver(String uri, String filter) throws MqttException {
        client = new MqttAsyncClient(uri, "bench-central-" + System.nanoTime(), new MemoryPersistence());
        client.setCallback(new MqttCallbackAdapter() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                if (!topic.endsWith("/state")) {
                    record(message.getPayload());
                }
            }
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setReceiveMaximum(1000);
        o.setSocketFactory(io.storegw.gateway.uplink.NoDelaySockets.plain());
        client.connect(o).waitForCompletion(10_000);
        client.subscribe(filter, 1).waitForCompletion(10_000);
    }

    private void record(byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        long seq = Long.parseLong(field(text, "sequence"));
        synchronized (seen) {
            seen.set((int) seq);
        }
        count.incrementAndGet();
        if (sampling && sampled < latencies.length) {
            latencies[sampled++] = System.currentTimeMillis() - Instant.parse(field(text, "time")).toEpochMilli();
        }
    }

    private static String field(String json, String name) {
        int at = json.indexOf("\"" + name + "\":\"") + name.length() + 4;
        return json.substring(at, json.indexOf('"', at));
    }

    long count() {
        return count.get();
    }

    /** Forgets everything received so far. */
    void reset() {
        synchronized (seen) {
            seen.clear();
        }
        count.set(0);
        sampling = false;
        sampled = 0;
    }

    /** Samples latency from now on, up to {@code samples} events. */
    void startSampling(int samples) {
        latencies = new long[samples];
        sampled = 0;
        sampling = true;
    }

    void stopSampling() {
        sampling = false;
    }

    /** How many of 1..n were not received. */
    long missing(long n) {
        synchronized (seen) {
            return n - seen.get(1, (int) n + 1).cardinality();
        }
    }

    /** The p-th percentile (0-100) of sampled latency in ms. */
    long percentile(double p) {
        long[] sorted = java.util.Arrays.copyOf(latencies, sampled);
        java.util.Arrays.sort(sorted);
        return sorted.length == 0 ? -1 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)];
    }

    @Override
    public void close() throws MqttException {
        client.disconnect().waitForCompletion(5_000);
        client.close();
    }
}
