package io.storegw.gateway.health;

/**
 * The data of {@code gateway.telemetry}: the gateway's own vital signs.
 *
 * @param reconnects connections to the broker after the first one
 */
public record Telemetry(String version, long uptimeS, long observationsIn, long eventsCommitted,
                        long backlogRows, long backlogBytes, long heapUsedBytes, long reconnects) {
}
