package io.storegw.cli;

import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.layout.Layout;
import io.storegw.gateway.layout.LayoutView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code storegw beacons}: the store's fixed beacons, watched for battery and absence. */
@Command(name = "beacons", mixinStandardHelpOptions = true,
        description = {"List, add or remove the store's fixed beacons on the running gateway.",
                "A fixed beacon is watched: central gets beacon.health and, when it falls silent, beacon.missing.",
                "With --zone it also marks that zone. Changes apply at once and are kept in the gateway's state."},
        subcommands = {BeaconsCommand.ListBeacons.class, BeaconsCommand.Add.class, BeaconsCommand.Remove.class})
final class BeaconsCommand {

    /** One fixed beacon as listed. */
    record Beacon(String id, String zone, java.time.Instant lastHeard) {
    }

    static List<Beacon> beacons(LayoutView v) {
        Map<String, String> zoneOf = new HashMap<>();
        v.layout().zones().forEach(z -> z.beacons().forEach(b -> zoneOf.put(b, z.name())));
        TreeSet<String> ids = new TreeSet<>(v.layout().watchedBeacons());
        return ids.stream().map(id -> new Beacon(id, zoneOf.get(id), v.beaconsHeard().get(id))).toList();
    }

    /** {@code storegw beacons list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "The fixed beacons, their zone and when each was last heard.")
    static final class ListBeacons extends LayoutCommand {
        @Override
        int run() throws Exception {
            return list(beacons(view()), "no fixed beacons: add one with storegw beacons add ibeacon:UUID/MAJOR/MINOR",
                    b -> String.format(Locale.ROOT, "%-58s zone %-16s %s", b.id(), b.zone() == null ? "-" : b.zone(), LayoutCommand.ago(b.lastHeard())));
        }
    }

    /** {@code storegw beacons add ID [--zone Z]}. */
    @Command(name = "add", mixinStandardHelpOptions = true, description = "Watch a fixed beacon; with --zone it also marks that zone.")
    static final class Add extends LayoutCommand {
        @Parameters(paramLabel = "ID", description = "ibeacon:UUID/MAJOR/MINOR, altbeacon:ID1/ID2/ID3 or eddystone-uid:NAMESPACE/INSTANCE.")
        String id;

        @Option(names = "--zone", paramLabel = "ZONE", description = "The zone it is placed in.")
        String zone;

        @Override
        int run() throws Exception {
            LayoutView now = view();
            if (zone != null && now.layout().zones().stream().noneMatch(z -> z.name().equals(zone))) {
                throw usage("no zone " + zone + "; add it with storegw zones add " + zone + " --beacon " + id);
            }
            if (now.layout().watchedBeacons().contains(id)) {
                throw usage("beacon " + id + " is already known; remove it first to move it");
            }
            LayoutView after = change(now, l -> {
                if (zone == null) {
                    List<String> registered = new ArrayList<>(l.beacons());
                    registered.add(id);
                    return new Layout(l.zones(), l.receiverOffsets(), registered, l.tills());
                }
                return new Layout(l.zones().stream().map(z -> !z.name().equals(zone) ? z : new GatewayConfig.Zone(z.name(), z.receivers(),
                        concat(z.beacons(), id))).toList(), l.receiverOffsets(), l.beacons(), l.tills());
            }, "beacon " + id + " added" + (zone == null ? "" : " in zone " + zone));
            System.out.println(json ? JsonLine.of(beacons(after)) : "beacon " + id + " is watched" + (zone == null ? "" : " and marks zone " + zone)
                    + " (layout version " + after.version() + ")");
            return 0;
        }

        private static List<String> concat(List<String> list, String one) {
            List<String> out = new ArrayList<>(list);
            out.add(one);
            return out;
        }
    }

    /** {@code storegw beacons remove ID}. */
    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Stop watching a fixed beacon (and take it out of its zone).")
    static final class Remove extends LayoutCommand {
        @Parameters(paramLabel = "ID", description = "The beacon.")
        String id;

        @Override
        int run() throws Exception {
            LayoutView now = view();
            if (!now.layout().watchedBeacons().contains(id)) {
                throw usage("no fixed beacon " + id + "; storegw beacons list shows them");
            }
            for (GatewayConfig.Zone z : now.layout().zones()) {
                if (z.beacons().equals(List.of(id)) && z.receivers().isEmpty()) {
                    throw usage("zone " + z.name() + " would be left with nothing marking it; add another beacon first,"
                            + " or remove the zone (storegw zones remove " + z.name() + ")");
                }
            }
            LayoutView after = change(now, l -> new Layout(l.zones().stream().map(z -> new GatewayConfig.Zone(z.name(), z.receivers(),
                    z.beacons().stream().filter(b -> !b.equals(id)).toList())).toList(), l.receiverOffsets(),
                    l.beacons().stream().filter(b -> !b.equals(id)).toList(), l.tills()), "beacon " + id + " removed");
            System.out.println(json ? JsonLine.of(beacons(after)) : "beacon " + id + " removed (layout version " + after.version() + ")");
            return 0;
        }
    }
}
