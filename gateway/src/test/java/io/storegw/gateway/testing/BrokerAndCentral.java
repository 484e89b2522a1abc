package io.storegw.gateway.testing;

import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A started broker and central's subscriber for each test, closed after it:
 * {@code @RegisterExtension final BrokerAndCentral rig = new BrokerAndCentral(() -> dir.resolve("broker"));}
 * (the supplier is asked before each test, once {@code @TempDir} is set).
 */
public final class BrokerAndCentral implements BeforeEachCallback, AfterEachCallback {

    private final Supplier<Path> dataDir;
    private TestBroker broker;
    private Central central;

    public BrokerAndCentral(Supplier<Path> dataDir) {
        this.dataDir = dataDir;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        broker = TestBroker.create(dataDir.get());
        broker.start();
        // Central's persistent session exists before any outage, as it would in production.
        central = new Central(broker.uri(), "central-" + System.nanoTime());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            if (central != null) {
                central.close();
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    public TestBroker broker() {
        return broker;
    }

    public Central central() {
        return central;
    }
}
