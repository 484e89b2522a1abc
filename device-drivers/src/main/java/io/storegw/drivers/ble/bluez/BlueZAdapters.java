package io.storegw.drivers.ble.bluez;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.errors.ServiceUnknown;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.ObjectManager;
import org.freedesktop.dbus.types.Variant;

/** The Bluetooth adapters BlueZ knows, for {@code storegw doctor}: one D-Bus call, no discovery. */
public final class BlueZAdapters {

    /** One adapter: its name ({@code hci0}), address, and whether it is powered. */
    public record Adapter(String name, String address, boolean powered) {
    }

    /** BlueZ cannot be asked: the bus is not reachable, or bluetoothd is not on it. */
    public static final class Unavailable extends Exception {
        private final boolean busReached;

        Unavailable(boolean busReached, String message, Throwable cause) {
            super(message, cause);
            this.busReached = busReached;
        }

        /** Whether D-Bus itself answered (so bluetoothd is what is missing). */
        public boolean busReached() {
            return busReached;
        }
    }

    private BlueZAdapters() {
    }

    /**
     * Asks bluetoothd over D-Bus.
     *
     * @param busAddress a D-Bus address, or null for the system bus
     * @throws Unavailable when the bus cannot be reached or bluetoothd is not on it
     */
    public static List<Adapter> list(String busAddress) throws Unavailable {
        DBusConnection connection;
        try {
            connection = (busAddress == null ? DBusConnectionBuilder.forSystemBus()
                    : DBusConnectionBuilder.forAddress(busAddress)).withShared(false).build();
        } catch (DBusException | RuntimeException e) {
            throw new Unavailable(false, "cannot reach " + (busAddress == null ? "the system D-Bus" : busAddress) + ": " + e.getMessage(), e);
        }
        try (connection) {
            Map<DBusPath, Map<String, Map<String, Variant<?>>>> objects =
                    connection.getRemoteObject(BlueZScanner.BLUEZ, "/", ObjectManager.class).GetManagedObjects();
            List<Adapter> adapters = new ArrayList<>();
            objects.forEach((path, interfaces) -> {
                Map<String, Variant<?>> a = interfaces.get(BlueZScanner.ADAPTER1);
                if (a != null) {
                    String p = path.getPath();
                    adapters.add(new Adapter(p.substring(p.lastIndexOf('/') + 1), String.valueOf(value(a, "Address")),
                            Boolean.TRUE.equals(value(a, "Powered"))));
                }
            });
            adapters.sort(java.util.Comparator.comparing(Adapter::name));
            return adapters;
        } catch (DBusException e) {
            throw new Unavailable(true, "bluetoothd cannot be asked: " + e.getMessage(), e);
        } catch (DBusExecutionException e) {
            throw new Unavailable(true, e instanceof ServiceUnknown ? "bluetoothd is not running (no org.bluez on the bus)"
                    : "bluetoothd refused: " + e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new Unavailable(true, "closing the D-Bus connection failed: " + e.getMessage(), e);
        }
    }

    private static Object value(Map<String, Variant<?>> props, String name) {
        Variant<?> v = props.get(name);
        return v == null ? null : v.getValue();
    }
}
