package io.storegw.gateway.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real MQTT 5 broker on 127.0.0.1 for tests, demo and benchmarks: embedded HiveMQ CE by default,
 * Mosquitto with {@code -Dstoregw.test.broker=mosquitto}. Stop and start keep the port and the
 * broker's persistence, so outage tests look like a broker restart.
 */
public interface TestBroker extends AutoCloseable {

    /** {@code tcp://127.0.0.1:PORT}. */
    String uri();

    int port();

    /** Starts (again) on the same port. */
    void start();

    /** Stops gracefully, keeping its persistence. */
    void stop();

    /** Stops and forgets. */
    @Override
    void close();

    /** The broker the build asked for, with its data in {@code dataDir}, not yet started. */
    static TestBroker create(Path dataDir) {
        String kind = System.getProperty("storegw.test.broker", "embedded");
        int port = freePort();
        return switch (kind) {
            case "embedded" -> new HiveMqBroker(port, dataDir);
            case "mosquitto" -> new MosquittoBroker(port, dataDir);
            default -> throw new IllegalArgumentException("storegw.test.broker must be embedded or mosquitto, was " + kind);
        };
    }

    /**
     * What a broker refuses, as central's may: publishes on {@code deniedTopic}, or on topics under it if it ends in {@code /} (not authorized,
     * as by an ACL) and packets of more than {@code maxPacketBytes} (its MQTT 5 Maximum Packet Size).
     */
    record Refusing(String deniedTopic, int maxPacketBytes) {
    }

    /** Like {@link #create(Path)}, a broker that refuses as {@code refusing} says, each with its own configuration. */
    static TestBroker create(Path dataDir, Refusing refusing) {
        String kind = System.getProperty("storegw.test.broker", "embedded");
        int port = freePort();
        return switch (kind) {
            case "embedded" -> HiveMqBroker.refusing(port, dataDir, refusing);
            case "mosquitto" -> MosquittoBroker.refusing(port, dataDir, refusing);
            default -> throw new IllegalArgumentException("storegw.test.broker must be embedded or mosquitto, was " + kind);
        };
    }

    /** A port nobody listens on right now, and that no server started on port 0 can be given before the test uses it. */
    static int freePort() {
        return FreePorts.next();
    }

    /** Waits until something accepts connections on the port. */
    static void awaitListening(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException("nothing listens on 127.0.0.1:" + port + " after " + timeout);
    }
}
