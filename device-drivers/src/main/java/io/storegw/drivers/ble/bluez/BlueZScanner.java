package io.storegw.drivers.ble.bluez;

import io.storegw.drivers.Errors;
import io.storegw.drivers.ble.BleAddress;
import io.storegw.drivers.ble.BleFormatException;
import io.storegw.drivers.ble.BleSightings;
import io.storegw.drivers.ble.beacon.BeaconDecoder;
import io.storegw.drivers.ble.beacon.BeaconFrame;
import io.storegw.drivers.ble.identity.IdentityResolver;
import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.source.ObservationSink;
import io.storegw.drivers.source.ObservationSource;
import io.storegw.drivers.source.SourceThread;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bluez.Adapter1;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.errors.ServiceUnknown;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBus;
import org.freedesktop.dbus.interfaces.ObjectManager;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.UInt16;
import org.freedesktop.dbus.types.Variant;

/**
 * BLE advertisements from BlueZ over D-Bus (bluez-dbus bindings, dbus-java's pure-Java Unix socket
 * transport): LE discovery with duplicate data on, a device's first advertisement from
 * {@code InterfacesAdded}, every further one from {@code PropertiesChanged}. BlueZ reports only what
 * changed, so each device's last manufacturer and service data are kept by object path. The adapter
 * vanishing ({@code InterfacesRemoved}) or bluetoothd restarting ({@code NameOwnerChanged}) is counted
 * and reported in the health status, and scanning resumes when an adapter is back, without a restart.
 */
public final class BlueZScanner implements ObservationSource {

    /**
     * @param busAddress the D-Bus to use ({@code unix:path=...}), or null for the system bus
     * @param adapter    the adapter's name ({@code hci0}), or null for the first one BlueZ has
     * @param receiverId what sightings name this scanner as
     * @param recheck    how often a missing adapter or bus is looked for again
     */
    public record Settings(String busAddress, String adapter, String receiverId, Duration recheck) {
    }

    /** One advertisement as heard, for a technician's screen ({@code storegw ble scan}); the address stays on that screen. */
    public record Heard(Instant at, String address, int rssi, List<BeaconFrame> frames, BleSighting sighting) {
    }

    /** Listens to every advertisement heard, besides the sightings handed to the gateway. */
    @FunctionalInterface
    public interface Tap {
        void heard(Heard heard);
    }

    static final String NAME = "ble-bluez";
    static final String BLUEZ = "org.bluez";
    static final String ADAPTER1 = "org.bluez.Adapter1";
    static final String DEVICE1 = "org.bluez.Device1";

    /** What BlueZ last said about one device. */
    private static final class Device {
        String address;
        boolean random;
        Map<Integer, byte[]> manufacturerData = Map.of();
        Map<String, byte[]> serviceData = Map.of();
    }

    private final Settings settings;
    private final IdentityResolver identities;
    private final Clock clock;
    private final Tap tap;
    private final Object lock = new Object();
    private final Map<String, Device> devices = new HashMap<>();
    private ObservationSink sink;
    private DBusConnection connection;
    private String adapterPath;
    private volatile SourceThread thread;
    private volatile String problem = "not started";

    /** @param tap sees every advertisement as heard, or null */
    public BlueZScanner(Settings settings, IdentityResolver identities, Clock clock, Tap tap) {
        this.settings = settings;
        this.identities = identities;
        this.clock = clock;
        this.tap = tap;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String problem() {
        return problem;
    }

    @Override
    public void start(ObservationSink sink) {
        this.sink = sink;
        thread = SourceThread.start("source-ble-bluez", () -> {
            while (!Thread.currentThread().isInterrupted()) {
                synchronized (lock) {
                    supervise();
                }
                Thread.sleep(settings.recheck().toMillis());
            }
        });
    }

    /** Connects when not connected, finds the adapter when there is none, and starts discovery on it. */
    private void supervise() {
        if (connection == null) {
            String bus = settings.busAddress() == null ? "the system D-Bus" : "D-Bus at " + settings.busAddress();
            if (problem == null || problem.equals("not started")) {
                problem = "connecting to " + bus; // dbus-java takes up to 10 s to give up on a missing bus
            }
            try {
                connection = (settings.busAddress() == null ? DBusConnectionBuilder.forSystemBus()
                        : DBusConnectionBuilder.forAddress(settings.busAddress())).withShared(false).build();
                connection.addSigHandler(ObjectManager.InterfacesAdded.class, this::interfacesAdded);
                connection.addSigHandler(ObjectManager.InterfacesRemoved.class, this::interfacesRemoved);
                connection.addSigHandler(Properties.PropertiesChanged.class, this::propertiesChanged);
                connection.addSigHandler(DBus.NameOwnerChanged.class, this::nameOwnerChanged);
            } catch (DBusException | RuntimeException e) {
                problem = "cannot reach " + bus + ": " + Errors.describe(e);
                closeConnection();
                return;
            }
        }
        if (adapterPath == null) {
            try {
                Map<DBusPath, Map<String, Map<String, Variant<?>>>> objects =
                        connection.getRemoteObject(BLUEZ, "/", ObjectManager.class).GetManagedObjects();
                String found = null;
                for (Map.Entry<DBusPath, Map<String, Map<String, Variant<?>>>> e : objects.entrySet()) {
                    String path = e.getKey().getPath();
                    if (e.getValue().containsKey(ADAPTER1) && (settings.adapter() == null ? found == null || path.compareTo(found) < 0
                            : path.equals("/org/bluez/" + settings.adapter()))) {
                        found = path;
                    }
                }
                if (found == null) {
                    problem = settings.adapter() == null ? "no Bluetooth adapter" : "no Bluetooth adapter " + settings.adapter();
                    return;
                }
                Adapter1 adapter = connection.getRemoteObject(BLUEZ, found, Adapter1.class);
                adapter.SetDiscoveryFilter(Map.of("Transport", new Variant<>("le"), "DuplicateData", new Variant<>(Boolean.TRUE)));
                adapter.StartDiscovery();
                adapterPath = found;
                devices.clear();
                for (Map.Entry<DBusPath, Map<String, Map<String, Variant<?>>>> e : objects.entrySet()) {
                    Map<String, Variant<?>> device = e.getValue().get(DEVICE1);
                    if (device != null && e.getKey().getPath().startsWith(found + "/")) {
                        update(e.getKey().getPath(), device); // cached by BlueZ: known, not heard now
                    }
                }
                problem = null;
            } catch (ServiceUnknown e) {
                problem = "bluetoothd is not running (no org.bluez on the bus); waiting for it";
                adapterPath = null;
            } catch (DBusException | RuntimeException e) {
                problem = "cannot start LE discovery: " + Errors.describe(e);
                adapterPath = null;
            }
        }
    }

    private void interfacesAdded(ObjectManager.InterfacesAdded signal) {
        synchronized (lock) {
            Map<String, Variant<?>> device = signal.getInterfaces().get(DEVICE1);
            // getObjectPath() is where the signal came from (the manager, "/"); the added object is the signal source
            String path = signal.getSignalSource().getPath();
            if (device != null && adapterPath != null && path.startsWith(adapterPath + "/")) {
                Device d = update(path, device);
                heard(d, device);
            }
            // an adapter coming back is picked up by the supervisor: no D-Bus calls from a signal handler
        }
    }

    private void interfacesRemoved(ObjectManager.InterfacesRemoved signal) {
        synchronized (lock) {
            String path = signal.getSignalSource().getPath();
            if (signal.getInterfaces().contains(ADAPTER1) && path.equals(adapterPath)) {
                lost("adapter-lost", "Bluetooth adapter " + path.substring(path.lastIndexOf('/') + 1) + " gone; waiting for it to return");
            } else if (signal.getInterfaces().contains(DEVICE1)) {
                devices.remove(path);
            }
        }
    }

    private void propertiesChanged(Properties.PropertiesChanged signal) {
        if (!DEVICE1.equals(signal.getInterfaceName())) {
            return;
        }
        synchronized (lock) {
            Device d = devices.get(signal.getPath());
            if (d == null || adapterPath == null) {
                return;
            }
            update(signal.getPath(), signal.getPropertiesChanged());
            heard(d, signal.getPropertiesChanged());
        }
    }

    private void nameOwnerChanged(DBus.NameOwnerChanged signal) {
        if (!BLUEZ.equals(signal.name)) {
            return;
        }
        synchronized (lock) {
            if (signal.newOwner.isEmpty() && adapterPath != null) {
                lost("bluetoothd-gone", "bluetoothd is gone; waiting for it to return");
            }
        }
    }

    private void lost(String event, String why) {
        adapterPath = null;
        devices.clear();
        problem = why;
        sink.counted(NAME, event);
    }

    /** Takes what BlueZ says about a device into its kept state. */
    private Device update(String path, Map<String, Variant<?>> props) {
        Device d = devices.computeIfAbsent(path, p -> new Device());
        if (props.get("Address") != null) {
            d.address = (String) props.get("Address").getValue();
        }
        if (props.get("AddressType") != null) {
            d.random = "random".equals(props.get("AddressType").getValue());
        }
        try {
            if (props.get("ManufacturerData") != null) {
                Map<Integer, byte[]> m = new HashMap<>();
                for (Map.Entry<?, ?> e : dict(props.get("ManufacturerData")).entrySet()) {
                    m.put(((UInt16) e.getKey()).intValue(), bytes(e.getValue()));
                }
                d.manufacturerData = m;
            }
            if (props.get("ServiceData") != null) {
                Map<String, byte[]> m = new HashMap<>();
                for (Map.Entry<?, ?> e : dict(props.get("ServiceData")).entrySet()) {
                    m.put((String) e.getKey(), bytes(e.getValue()));
                }
                d.serviceData = m;
            }
        } catch (ClassCastException | BleFormatException e) {
            // not BlueZ's a{qv} / a{sv}: keep what we had, count it, go on
            sink.refused(NAME, "malformed", "BlueZ gave a device's ManufacturerData or ServiceData not as a{qv} / a{sv}");
        }
        return d;
    }

    /** An advertisement is an RSSI report; without one BlueZ only updated its cache. */
    private void heard(Device d, Map<String, Variant<?>> props) {
        Variant<?> rssi = props.get("RSSI");
        if (rssi == null || d.address == null) {
            return;
        }
        Instant at = clock.instant();
        List<BeaconFrame> frames = BeaconDecoder.decodeBlueZ(d.manufacturerData, d.serviceData);
        BleAddress address;
        try {
            address = BleAddress.parse(d.address, d.random);
        } catch (BleFormatException e) {
            sink.refused(NAME, "bad-address", "BlueZ gave a device address that does not parse");
            return;
        }
        int signal = ((Number) rssi.getValue()).intValue();
        List<Observation> observations = BleSightings.of(at, settings.receiverId(), signal, frames, identities.resolve(address, frames, at));
        if (tap != null) {
            tap.heard(new Heard(at, d.address, signal, frames, (BleSighting) observations.get(0)));
        }
        try {
            for (Observation o : observations) {
                sink.accept(o);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A dictionary property; an empty array where a dictionary belongs (seen from mocks) is an empty one. */
    private static Map<?, ?> dict(Variant<?> v) {
        Object value = v.getValue();
        if (value instanceof Map<?, ?> m) {
            return m;
        }
        if (value instanceof List<?> l && l.isEmpty() || value instanceof Object[] a && a.length == 0) {
            return Map.of();
        }
        throw new ClassCastException("expected a dictionary, got " + v.getSig());
    }

    private static byte[] bytes(Object value) {
        Object v = value instanceof Variant<?> variant ? variant.getValue() : value;
        if (v instanceof byte[] b) {
            return b;
        }
        if (v instanceof List<?> list) { // some bindings hand arrays of bytes over as lists
            byte[] b = new byte[list.size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = ((Number) list.get(i)).byteValue();
            }
            return b;
        }
        throw new BleFormatException("not bytes: " + v);
    }

    private void closeConnection() {
        if (connection != null) {
            connection.disconnect();
            connection = null;
        }
    }

    @Override
    public void close() {
        SourceThread t = thread;
        if (t != null) {
            t.stop();
        }
        synchronized (lock) {
            if (connection != null && adapterPath != null) {
                try {
                    connection.getRemoteObject(BLUEZ, adapterPath, Adapter1.class).StopDiscovery();
                } catch (DBusException | RuntimeException ignored) {
                    // the adapter may be gone already
                }
            }
            closeConnection();
        }
    }
}
