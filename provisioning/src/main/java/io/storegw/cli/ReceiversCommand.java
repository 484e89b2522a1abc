package io.storegw.cli;

import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.layout.Layout;
import io.storegw.gateway.layout.LayoutView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code storegw receivers}: the BLE receivers (the gateway's radio, ESPresense nodes, Theengs gateways). */
@Command(name = "receivers", mixinStandardHelpOptions = true,
        description = {"List the BLE receivers the gateway hears or knows, place them in zones, or take them out.",
                "Changes apply at once and are kept in the gateway's state; central gets a gateway.layout event."},
        subcommands = {ReceiversCommand.ListReceivers.class, ReceiversCommand.Add.class, ReceiversCommand.Remove.class})
final class ReceiversCommand {

    /** One receiver as listed. */
    record Receiver(String id, String zone, Double offsetDb, java.time.Instant lastHeard) {
    }

    static List<Receiver> receivers(LayoutView v) {
        Map<String, String> zoneOf = new HashMap<>();
        v.layout().zones().forEach(z -> z.receivers().forEach(r -> zoneOf.put(r, z.name())));
        TreeSet<String> ids = new TreeSet<>(zoneOf.keySet());
        ids.addAll(v.layout().receiverOffsets().keySet());
        ids.addAll(v.receiversHeard().keySet());
        return ids.stream().map(id -> new Receiver(id, zoneOf.get(id), v.layout().receiverOffsets().get(id), v.receiversHeard().get(id))).toList();
    }

    /** {@code storegw receivers list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every receiver in a zone or heard since the gateway started.")
    static final class ListReceivers extends LayoutCommand {
        @Override
        int run() throws Exception {
            LayoutView v = view();
            list(receivers(v), "no receivers placed or heard yet",
                    r -> String.format(Locale.ROOT, "%-24s zone %-16s offset %-7s %s", r.id(), r.zone() == null ? "-" : r.zone(),
                            r.offsetDb() == null ? "-" : String.format(Locale.ROOT, "%+.1f dB", r.offsetDb()), LayoutCommand.ago(r.lastHeard())));
            hearsNothing(v);
            return 0;
        }
    }

    /** {@code storegw receivers add ID --zone Z}. */
    @Command(name = "add", mixinStandardHelpOptions = true, description = "Place a receiver in a zone (moving it out of any other), optionally with an offset.")
    static final class Add extends LayoutCommand {
        @Parameters(paramLabel = "ID", description = "The receiver's id as its sightings name it (an ESPresense room, the gateway id, ...).")
        String id;

        @Option(names = "--zone", required = true, paramLabel = "ZONE", description = "The zone it hears best.")
        String zone;

        @Option(names = "--offset", paramLabel = "DB", description = "dB added to what it hears (-40 to 40): + for one mounted high or in a case.")
        Double offset;

        @Override
        int run() throws Exception {
            LayoutView now = view();
            if (now.layout().zones().stream().noneMatch(z -> z.name().equals(zone))) {
                throw usage("no zone " + zone + "; add it with storegw zones add " + zone + " --receiver " + id);
            }
            LayoutView after = change(now, l -> {
                List<GatewayConfig.Zone> zones = new ArrayList<>();
                for (GatewayConfig.Zone z : l.zones()) {
                    List<String> rx = new ArrayList<>(z.receivers());
                    rx.remove(id);
                    if (z.name().equals(zone)) {
                        rx.add(id);
                    }
                    zones.add(new GatewayConfig.Zone(z.name(), rx, z.beacons()));
                }
                Map<String, Double> offsets = new LinkedHashMap<>(l.receiverOffsets());
                if (offset != null) {
                    offsets.put(id, offset);
                }
                return new Layout(zones, offsets, l.beacons(), l.tills());
            }, "receiver " + id + " placed in zone " + zone);
            System.out.println(json ? JsonLine.of(receivers(after)) : "receiver " + id + " is in zone " + zone + " (layout version " + after.version() + ")");
            return 0;
        }
    }

    /** {@code storegw receivers remove ID}. */
    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Take a receiver out of its zone and forget its offset.")
    static final class Remove extends LayoutCommand {
        @Parameters(paramLabel = "ID", description = "The receiver.")
        String id;

        @Override
        int run() throws Exception {
            LayoutView now = view();
            boolean placed = now.layout().zones().stream().anyMatch(z -> z.receivers().contains(id));
            if (!placed && !now.layout().receiverOffsets().containsKey(id)) {
                throw usage("receiver " + id + " is in no zone and has no offset");
            }
            for (GatewayConfig.Zone z : now.layout().zones()) {
                if (z.receivers().equals(List.of(id)) && z.beacons().isEmpty()) {
                    throw usage("zone " + z.name() + " would be left with nothing marking it; add another receiver first,"
                            + " or remove the zone (storegw zones remove " + z.name() + ")");
                }
            }
            LayoutView after = change(now, l -> {
                List<GatewayConfig.Zone> zones = l.zones().stream().map(z -> new GatewayConfig.Zone(z.name(),
                        z.receivers().stream().filter(r -> !r.equals(id)).toList(), z.beacons())).toList();
                Map<String, Double> offsets = new LinkedHashMap<>(l.receiverOffsets());
                offsets.remove(id);
                return new Layout(zones, offsets, l.beacons(), l.tills());
            }, "receiver " + id + " removed");
            System.out.println(json ? JsonLine.of(receivers(after)) : "receiver " + id + " removed (layout version " + after.version() + ")");
            return 0;
        }
    }
}
