package io.storegw.gateway.layout;

import io.storegw.gateway.config.GatewayConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.TreeMap;

/**
 * The store as the gateway knows it: zones and the receivers and fixed beacons that mark them, receiver
 * offsets, the fixed beacons watched for health, and the tills added from the command line. Starts as
 * the config file says; {@code storegw zones|receivers|beacons|tills} change it while the gateway runs.
 *
 * @param beacons fixed beacons watched for health besides the zones' own
 * @param tills   till name to the SHA-256 (hex) of its bearer token; the token itself is never kept
 */
public record Layout(List<GatewayConfig.Zone> zones, Map<String, Double> receiverOffsets, List<String> beacons,
                     Map<String, String> tills) {

    public Layout {
        zones = zones == null ? List.of() : List.copyOf(zones);
        receiverOffsets = receiverOffsets == null ? Map.of() : Map.copyOf(new TreeMap<>(receiverOffsets));
        beacons = beacons == null ? List.of() : List.copyOf(beacons);
        tills = tills == null ? Map.of() : Map.copyOf(tills);
    }

    /** The layout the config file describes (it names no tills: those of its tokens file stay there). */
    public static Layout of(GatewayConfig config) {
        return new Layout(config.presence().zones(), config.presence().receiverOffsets(), config.beacons().registered(), Map.of());
    }

    /** The same zones, offsets and beacons, whatever the tills: what decides whether the config file was edited. */
    boolean samePlaces(Layout other) {
        return zones.equals(other.zones) && receiverOffsets.equals(other.receiverOffsets) && beacons.equals(other.beacons);
    }

    /** The fixed beacons whose absence is reported: the registered ones and every zone's. */
    public Set<String> watchedBeacons() {
        Set<String> watched = new HashSet<>(beacons);
        zones.forEach(z -> watched.addAll(z.beacons()));
        return Set.copyOf(watched);
    }

    /** This layout with other tills. */
    Layout withTills(Map<String, String> tills) {
        return new Layout(zones, receiverOffsets, beacons, tills);
    }
}
