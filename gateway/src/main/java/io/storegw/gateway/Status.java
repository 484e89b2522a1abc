package io.storegw.gateway;

import java.util.List;

/**
 * The gateway's state as {@code GET /status} on the admin socket gives it, for {@code storegw status}.
 *
 * @param problem null when healthy, otherwise every reason, one per line (as {@code /healthz})
 */
public record Status(String version, String gateway, long uptimeSeconds, String problem, Uplink uplink, Backlog backlog,
                     long observations, List<Source> sources) {

    /** The connection to central. */
    public record Uplink(String broker, boolean connected, String problem, long published) {
    }

    /** What waits in the outbox. */
    public record Backlog(long rows, long bytes, long oldestAgeSeconds, long committedSeq) {
    }

    /** One source and its problem, if any. */
    public record Source(String name, String problem) {
    }
}
