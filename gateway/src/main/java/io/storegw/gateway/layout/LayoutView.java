package io.storegw.gateway.layout;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The layout as the admin API's {@code GET /layout} gives it: what is set, and when each receiver and
 * beacon was last heard.
 *
 * @param version   bumped by every change; a change names the version it was made from
 * @param fileTills the tills of the config's tokens file (changed by editing it, not from the command line)
 * @param tillPort  where tills post ({@code http://HOST:PORT}, or https), as configured; null while the till port is off
 * @param hearsBle  whether any source hears BLE (the gateway's radio, ESPresense or OpenMQTTGateway nodes, the virtual
 *                  store): without one, zones and receivers hear nothing
 */
public record LayoutView(long version, Layout layout, List<String> fileTills, Map<String, Instant> receiversHeard,
                         Map<String, Instant> beaconsHeard, String tillPort, boolean hearsBle) {
}
