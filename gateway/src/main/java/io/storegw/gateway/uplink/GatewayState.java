package io.storegw.gateway.uplink;

/**
 * The retained {@code .../state} message: birth ({@code online}) on connect, the Will or an orderly
 * shutdown ({@code offline}).
 *
 * @param oldestQueuedAgeS age of the oldest event waiting in the outbox, 0 when none
 */
public record GatewayState(String state, String version, String reason, long backlogRows, long backlogBytes,
                           long oldestQueuedAgeS, String time) {
}
