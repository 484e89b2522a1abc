package io.storegw.cli;

import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.layout.Layout;
import io.storegw.gateway.layout.LayoutView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code storegw zones}: the zones presence is reported in. */
@Command(name = "zones", mixinStandardHelpOptions = true,
        description = {"List, add or remove the store's zones on the running gateway.",
                "Changes apply at once and are kept in the gateway's state; central gets a gateway.layout event."},
        subcommands = {ZonesCommand.ListZones.class, ZonesCommand.Add.class, ZonesCommand.Remove.class})
final class ZonesCommand {

    /** {@code storegw zones list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "The zones and the receivers and fixed beacons that mark them.")
    static final class ListZones extends LayoutCommand {
        @Override
        int run() throws Exception {
            LayoutView v = view();
            list(v.layout().zones(), "no zones: add one with storegw zones add NAME --receiver ID",
                    z -> String.format(Locale.ROOT, "%-20s receivers: %s  beacons: %s", z.name(),
                            z.receivers().isEmpty() ? "-" : String.join(", ", z.receivers()), z.beacons().isEmpty() ? "-" : String.join(", ", z.beacons())));
            hearsNothing(v);
            return 0;
        }
    }

    /** {@code storegw zones add NAME}. */
    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a zone marked by receivers and/or fixed beacons.")
    static final class Add extends LayoutCommand {
        @Parameters(paramLabel = "NAME", description = "The zone's name (letters, digits, - and _), as events will name it.")
        String name;

        @Option(names = "--receiver", paramLabel = "ID", description = "A receiver that hears the zone best (repeatable).")
        List<String> receivers = new ArrayList<>();

        @Option(names = "--beacon", paramLabel = "ID", description = "A fixed beacon placed in the zone, e.g. ibeacon:UUID/MAJOR/MINOR (repeatable).")
        List<String> beacons = new ArrayList<>();

        @Override
        int run() throws Exception {
            if (receivers.isEmpty() && beacons.isEmpty()) {
                throw usage("a zone needs --receiver or --beacon (or both) to mark it");
            }
            LayoutView now = view();
            if (now.layout().zones().stream().anyMatch(z -> z.name().equals(name))) {
                throw usage("zone " + name + " exists; remove it first to redefine it");
            }
            LayoutView after = change(now, l -> {
                List<GatewayConfig.Zone> zones = new ArrayList<>(l.zones());
                zones.add(new GatewayConfig.Zone(name, receivers, beacons));
                return new Layout(zones, l.receiverOffsets(), l.beacons(), l.tills());
            }, "zone " + name + " added");
            System.out.println(json ? JsonLine.of(after.layout().zones()) : "zone " + name + " added (layout version " + after.version() + ")");
            return 0;
        }
    }

    /** {@code storegw zones remove NAME}. */
    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a zone; stays in it end now.")
    static final class Remove extends LayoutCommand {
        @Parameters(paramLabel = "NAME", description = "The zone.")
        String name;

        @Override
        int run() throws Exception {
            LayoutView now = view();
            if (now.layout().zones().stream().noneMatch(z -> z.name().equals(name))) {
                throw usage("no zone " + name + "; storegw zones list shows them");
            }
            LayoutView after = change(now, l -> new Layout(l.zones().stream().filter(z -> !z.name().equals(name)).toList(),
                    l.receiverOffsets(), l.beacons(), l.tills()), "zone " + name + " removed");
            System.out.println(json ? JsonLine.of(after.layout().zones()) : "zone " + name + " removed (layout version " + after.version() + ")");
            return 0;
        }
    }
}
