package io.storegw.drivers.ble.identity;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A lookup from rotating identifiers to their owners, precomputed over a window of rotation periods
 * around the clock, so that resolving an advertisement is one hash lookup. {@link #advanceTo} keeps
 * the window current: it computes only the periods that entered it and drops those that left.
 * An identifier that two owners share in the window is ambiguous and resolves to nobody.
 * Not thread-safe: the core loop owns it.
 *
 * @param <T> what an identifier resolves to
 */
final class RotatingIds<T> {

    /** How one owner's identifier rotates. */
    interface Rotor {
        /** The rotation period that {@code epochSecond} falls in. */
        long periodAt(long epochSecond);

        /** Periods either side of the current one to keep resolvable (clock drift, late reports). */
        int window();

        /** The identifier broadcast during {@code period}. */
        long idFor(long period);
    }

    private record Owner<T>(T value, Rotor rotor, long[] window) {
    }

    private final Map<String, Owner<T>> owners = new HashMap<>();
    /** Identifier to its owner, or to a {@code List<Owner>} when several share it. */
    private final Map<Long, Object> table = new HashMap<>();
    private long now;

    /** Adds or replaces the owner {@code key}; its identifiers resolve from the next lookup. */
    void put(String key, T value, Rotor rotor) {
        remove(key);
        long current = rotor.periodAt(now);
        long[] window = {current - rotor.window(), current + rotor.window()};
        Owner<T> owner = new Owner<>(value, rotor, window);
        owners.put(key, owner);
        for (long p = window[0]; p <= window[1]; p++) {
            add(rotor.idFor(p), owner);
        }
    }

    void remove(String key) {
        Owner<T> owner = owners.remove(key);
        if (owner != null) {
            for (long p = owner.window[0]; p <= owner.window[1]; p++) {
                drop(owner.rotor.idFor(p), owner);
            }
        }
    }

    int size() {
        return owners.size();
    }

    /** Moves every owner's window to centre on the period of {@code epochSecond}. */
    void advanceTo(long epochSecond) {
        if (epochSecond == now) {
            return;
        }
        now = epochSecond;
        for (Owner<T> owner : owners.values()) {
            long current = owner.rotor.periodAt(epochSecond);
            long from = current - owner.rotor.window();
            long to = current + owner.rotor.window();
            if (from == owner.window[0]) {
                continue;
            }
            for (long p = owner.window[0]; p <= owner.window[1]; p++) {
                if (p < from || p > to) {
                    drop(owner.rotor.idFor(p), owner);
                }
            }
            for (long p = from; p <= to; p++) {
                if (p < owner.window[0] || p > owner.window[1]) {
                    add(owner.rotor.idFor(p), owner);
                }
            }
            owner.window[0] = from;
            owner.window[1] = to;
        }
    }

    /** The owner of {@code id}, or {@code null} when it is unknown or ambiguous. */
    @SuppressWarnings("unchecked")
    T lookup(long id) {
        Object hit = table.get(id);
        return hit instanceof Owner<?> owner ? (T) owner.value : null;
    }

    /** Whether {@code id} belongs to more than one owner in the current window. */
    boolean ambiguous(long id) {
        return table.get(id) instanceof List<?>;
    }

    @SuppressWarnings("unchecked")
    private void add(long id, Owner<T> owner) {
        Object hit = table.putIfAbsent(id, owner);
        if (hit == null || hit == owner) {
            return;
        }
        List<Owner<T>> sharing;
        if (hit instanceof List<?> list) {
            sharing = (List<Owner<T>>) list;
        } else {
            sharing = new ArrayList<>(2);
            sharing.add((Owner<T>) hit);
            table.put(id, sharing);
        }
        if (!sharing.contains(owner)) {
            sharing.add(owner);
        }
    }

    private void drop(long id, Owner<T> owner) {
        Object hit = table.get(id);
        if (hit == owner) {
            table.remove(id);
        } else if (hit instanceof List<?> sharing) {
            sharing.remove(owner);
            if (sharing.size() == 1) {
                table.put(id, sharing.get(0));
            }
        }
    }
}
