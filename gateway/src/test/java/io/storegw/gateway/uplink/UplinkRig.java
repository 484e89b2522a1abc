package io.storegw.gateway.uplink;

import io.storegw.gateway.event.EventIds;
import io.storegw.gateway.event.GatewayIdentity;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.outbox.Outbox;
import io.storegw.gateway.testing.Central;
import io.storegw.gateway.testing.MutableClock;
import io.storegw.gateway.testing.TestBroker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/** Central subscribed to a broker, and an outbox under {@code dir} whose uplink (window 20, backoff 0.1-1 s) is running. */
record UplinkRig(Central central, Outbox outbox, Uplink uplink) implements AutoCloseable {

    static final GatewayIdentity ID = new GatewayIdentity("acme", "s042", "gw1");

    /** Starts the broker, central and the uplink, which connects to {@code uplinkUri} (the broker, or a relay to it). */
    static UplinkRig start(TestBroker broker, String uplinkUri, Path dir, Clock clock, EventIds ids, Metrics metrics) throws Exception {
        broker.start();
        Central central = new Central(broker.uri(), "central");
        Outbox outbox = outbox(dir, clock, ids, metrics);
        Uplink uplink = uplink(uplinkUri, dir, outbox, clock, metrics);
        uplink.start();
        return new UplinkRig(central, outbox, uplink);
    }

    /** An outbox of 64 MB in {@code dir}, without TTLs; on a test's clock, with that clock's monotonic time (else it sees steps). */
    static Outbox outbox(Path dir, Clock clock, EventIds ids, Metrics metrics) throws Exception {
        return Outbox.open(new Outbox.Settings(dir.resolve("outbox"), 64 << 20, Duration.ZERO, Map.of(), Duration.ofDays(7)),
                ID, ids, clock, clock instanceof MutableClock test ? test::nanos : System::nanoTime, metrics);
    }

    /** An uplink of client id gw1, not started, keeping refused events in {@code dir}. */
    static Uplink uplink(String uri, Path dir, Outbox outbox, Clock clock, Metrics metrics) {
        return new Uplink(new Uplink.Settings(uri, "gw1", null, null, null, null, null, Duration.ofSeconds(30), 20,
                Duration.ofMillis(100), Duration.ofSeconds(1)), ID, outbox, "test", clock, metrics, dir.resolve("refused"));
    }

    @Override
    public void close() {
        uplink.close();
        outbox.close();
        central.close();
    }
}
