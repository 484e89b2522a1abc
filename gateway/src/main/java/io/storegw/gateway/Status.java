package io.storegw.gateway;

import io.storegw.gateway.command.CentralCommands;
import io.storegw.gateway.health.ClockSync;
import io.storegw.gateway.outbox.OutboxStats;
import java.util.List;

/**
 * The gateway's state as {@code GET /status} on the admin socket gives it, for {@code storegw status}.
 *
 * @param problem  null when healthy, otherwise every reason, one per line (as {@code /healthz})
 * @param commands central's commands since the start, or null when the gateway takes none ({@code commands.publicKey})
 */
public record Status(String version, String gateway, long uptimeSeconds, String problem, Uplink uplink, Backlog backlog,
                     long observations, Rates rates, List<Source> sources, CentralCommands.Tally commands, ClockSync.State clock) {

    /**
     * The connection to central.
     *
     * @param refused     events central's broker refused for good since the start (reported in {@code gateway.dropped})
     * @param lastRefused the last of them, with its time and the broker's reason, or null
     * @param stateRefused what central's broker refuses on the gateway's state topic (its state, its Will), or null
     */
    public record Uplink(String broker, boolean connected, String problem, long published, long refused, String lastRefused,
                         String stateRefused) {
    }

    /** What waits in the outbox, in all and by class. */
    public record Backlog(long rows, long bytes, long oldestAgeSeconds, long committedSeq, List<OutboxStats.ClassBacklog> classes) {
    }

    /** Per second, over about the last minute. */
    public record Rates(double observationsIn, double eventsCommitted, double eventsPublished) {
    }

    /**
     * One source and its problem, if any.
     *
     * @param refused     inputs it refused since the start (malformed, unauthorised, too large, ...)
     * @param lastRefused the last of them, with its time and what was wrong, or null
     */
    public record Source(String name, String problem, long refused, String lastRefused) {
    }
}
