package io.storegw.drivers.virtual;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The virtual store's floor: its zones as rectangles in a grid of {@value #COLUMNS} columns, each
 * with one receiver mounted at its centre, {@value #RECEIVER_HEIGHT_M} m up.
 */
public final class StoreFloor {

    public static final int COLUMNS = 3;
    public static final double ZONE_WIDTH_M = 10;
    public static final double ZONE_DEPTH_M = 8;
    public static final double RECEIVER_HEIGHT_M = 2.5;
    /** Where a phone is carried: a hand or a pocket. */
    public static final double PHONE_HEIGHT_M = 1.2;

    /** A point on the floor, in metres. */
    public record Point(double x, double y) {
        double distanceTo(Point o) {
            return Math.hypot(x - o.x, y - o.y);
        }
    }

    /**
     * The virtual store's zones ({@link VirtualStoreModel#ZONES}) in grid order, row by row: the
     * entrance and the checkout side by side at the door.
     */
    public static final List<String> GRID = List.of("entrance", "produce", "bakery", "checkout", "dairy", "electronics");

    private StoreFloor() {
    }

    /** The zone at a point, or null outside the store. */
    public static String zoneAt(Point p) {
        int col = (int) Math.floor(p.x() / ZONE_WIDTH_M);
        int row = (int) Math.floor(p.y() / ZONE_DEPTH_M);
        if (col < 0 || col >= COLUMNS || row < 0 || row * COLUMNS >= GRID.size()) {
            return null;
        }
        return GRID.get(row * COLUMNS + col);
    }

    /** The centre of a zone, under its receiver. */
    public static Point centreOf(String zone) {
        int i = index(zone);
        return new Point((i % COLUMNS + 0.5) * ZONE_WIDTH_M, (i / COLUMNS + 0.5) * ZONE_DEPTH_M);
    }

    /** A random point at least a metre inside a zone. */
    public static Point somewhereIn(String zone, SplittableRandom random) {
        int i = index(zone);
        return new Point((i % COLUMNS) * ZONE_WIDTH_M + 1 + random.nextDouble() * (ZONE_WIDTH_M - 2),
                (i / COLUMNS) * ZONE_DEPTH_M + 1 + random.nextDouble() * (ZONE_DEPTH_M - 2));
    }

    /** How many zone boundaries (shelving, walls) lie between two points, counted on the grid. */
    static int boundariesBetween(Point a, Point b) {
        return Math.abs((int) Math.floor(a.x() / ZONE_WIDTH_M) - (int) Math.floor(b.x() / ZONE_WIDTH_M))
                + Math.abs((int) Math.floor(a.y() / ZONE_DEPTH_M) - (int) Math.floor(b.y() / ZONE_DEPTH_M));
    }

    private static int index(String zone) {
        int i = GRID.indexOf(zone);
        if (i < 0) {
            throw new IllegalArgumentException("no zone " + zone);
        }
        return i;
    }
}
