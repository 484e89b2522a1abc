package io.storegw.drivers.ble;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/** Lets tests in sub-packages read the shared test resources the way {@link BleVectorsTest} does. */
public final class BleVectorsTestAccess {
    private BleVectorsTestAccess() {
    }

    public static JsonNode load(String resource) throws IOException {
        return BleVectorsTest.load(resource);
    }
}
