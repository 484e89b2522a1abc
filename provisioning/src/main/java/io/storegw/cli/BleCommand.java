package io.storegw.cli;

import io.storegw.drivers.ble.BleFormatException;
import io.storegw.drivers.ble.Bytes;
import io.storegw.drivers.ble.ad.AdStructures;
import io.storegw.drivers.ble.ad.Advertisement;
import io.storegw.drivers.ble.beacon.BeaconDecoder;
import io.storegw.drivers.ble.beacon.BeaconFrame;
import io.storegw.drivers.ble.hci.AdvertisingReport;
import io.storegw.drivers.ble.hci.BtSnoop;
import io.storegw.drivers.ble.bluez.BlueZScanner;
import io.storegw.drivers.ble.hci.HciEvents;
import io.storegw.drivers.ble.identity.IdentityResolver;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.ConfigException;
import io.storegw.gateway.config.ConfigLoader;
import io.storegw.gateway.config.GatewayConfig;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code storegw ble}: Bluetooth LE tools for the technician. */
@Command(name = "ble", mixinStandardHelpOptions = true, description = "Bluetooth LE tools.",
        subcommands = {BleCommand.Decode.class, BleCommand.Scan.class})
final class BleCommand {

    /** {@code storegw ble decode}: decode advertisements given as hex or in a btsnoop capture. */
    @Command(name = "decode", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Decode BLE advertisements; prints one line (or JSON object) per beacon frame.",
                "HEX is advertising data (AD structures), an HCI event (3E ...), an H4 packet (04 3E ...), or with"
                + " --as mfg BlueZ's manufacturer data (company id, payload)."},
            footer = {"", "Examples:",
                "  storegw ble decode 0303aafe1316aafe10f8036769746875620063697472757a",
                "  btmon -w /tmp/ble.log    # in another terminal, Ctrl-C after a while",
                "  storegw ble decode --json --btsnoop /tmp/ble.log",
                "", "Exit status: 0 decoded, 2 the input is not what it claims to be."})
    static final class Decode implements Callable<Integer> {

        /** How to read a HEX argument. */
        enum Form { auto, adv, hci, h4, mfg }

        static final class Input {
            @Parameters(paramLabel = "HEX", arity = "1..*", description = "Advertisement bytes in hex (spaces and colons allowed).")
            List<String> hex;

            @Option(names = "--btsnoop", paramLabel = "FILE", description = "A btsnoop capture (btmon -w, Android, hcidump).")
            Path btsnoop;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Input input;

        @Option(names = "--as", paramLabel = "FORM", defaultValue = "auto",
                description = "How to read HEX: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
        Form form;

        @Option(names = "--json", description = "One JSON object per frame, with stable field names.")
        boolean json;

        @Override
        public Integer call() {
            try {
                if (input.btsnoop != null) {
                    return capture(input.btsnoop);
                }
                for (String hex : input.hex) {
                    decodeHex(Bytes.parseHex(hex));
                }
                return 0;
            } catch (BleFormatException e) {
                System.err.println("storegw ble decode: " + e.getMessage());
                return 2;
            }
        }

        private void decodeHex(byte[] bytes) {
            Form f = form != Form.auto ? form
                    : bytes.length >= 2 && (bytes[0] & 0xFF) == HciEvents.H4_EVENT && (bytes[1] & 0xFF) == HciEvents.LE_META ? Form.h4
                    : (bytes[0] & 0xFF) == HciEvents.LE_META ? Form.hci : Form.adv;
            switch (f) {
                case h4 -> reports(null, HciEvents.parseH4(bytes));
                case hci -> reports(null, HciEvents.parseEvent(bytes, 0, bytes.length));
                case mfg -> {
                    if (bytes.length < 2) {
                        throw new BleFormatException("manufacturer data needs a 2-byte company id");
                    }
                    byte[] data = java.util.Arrays.copyOfRange(bytes, 2, bytes.length);
                    List<BeaconFrame> frames = BeaconDecoder.decodeBlueZ(Map.of(Bytes.u16le(bytes, 0), data), Map.of());
                    if (frames.isEmpty()) {
                        printPlain(new Advertisement(null, List.of(), null, null, List.of(),
                                List.of(new Advertisement.ManufacturerData(Bytes.u16le(bytes, 0), data)), false), Map.of());
                    }
                    print(frames, Map.of());
                }
                default -> {
                    List<BeaconFrame> frames = BeaconDecoder.decode(bytes);
                    if (frames.isEmpty()) {
                        printPlain(AdStructures.parse(bytes), Map.of());
                    }
                    print(frames, Map.of());
                }
            }
        }

        private int capture(Path file) {
            long[] counts = new long[2];
            try (BtSnoop snoop = BtSnoop.open(file)) {
                snoop.forEachReport(r -> {
                    counts[0]++;
                    counts[1] += reports(r.time(), List.of(r.report()));
                });
                System.err.printf(Locale.ROOT, "%s: %d advertising reports, %d beacon frames, %d malformed events%n",
                        file, counts[0], counts[1], snoop.malformed());
                return 0;
            } catch (NoSuchFileException e) {
                System.err.println("storegw ble decode: no such file: " + file);
                return 2;
            } catch (IOException e) {
                System.err.println("storegw ble decode: cannot read " + file + ": " + e.getMessage());
                return 1;
            }
        }

        private int reports(Instant time, List<AdvertisingReport> reports) {
            int frames = 0;
            for (AdvertisingReport r : reports) {
                Map<String, Object> context = new LinkedHashMap<>();
                if (time != null) {
                    context.put("time", time.toString());
                }
                context.put("address", r.address().toString());
                context.put("addressType", r.address().kind().wire());
                if (r.rssi() != null) {
                    context.put("rssi", r.rssi());
                }
                if (r.extended()) {
                    context.put("eventType", r.eventTypeName());
                    if (r.txPower() != null) {
                        context.put("advTxPower", r.txPower());
                    }
                    context.put("dataStatus", r.dataStatus().wire());
                }
                List<BeaconFrame> decoded = BeaconDecoder.decode(r.data());
                frames += decoded.size();
                if (decoded.isEmpty()) {
                    printPlain(AdStructures.parse(r.data()), context);
                }
                print(decoded, context);
            }
            return frames;
        }

        /**
         * An advertisement with no beacon frame in it: the technician still learns that something advertises there,
         * and what (a name, a company's data, a service), to tell a phone or a sensor from a beacon that is set up wrong.
         */
        private void printPlain(Advertisement ad, Map<String, Object> context) {
            Map<String, Object> plain = new LinkedHashMap<>();
            plain.put("type", "advertisement");
            if (ad.localName() != null) {
                plain.put("name", ad.localName());
            }
            if (ad.flags() != null) {
                plain.put("flags", String.format(Locale.ROOT, "0x%02x", ad.flags()));
            }
            if (ad.txPowerLevel() != null) {
                plain.put("txPowerLevel", ad.txPowerLevel());
            }
            if (!ad.serviceUuids().isEmpty()) {
                plain.put("services", ad.serviceUuids().stream().map(Object::toString).toList());
            }
            if (!ad.serviceData().isEmpty()) {
                plain.put("serviceData", ad.serviceData().stream().map(d -> d.uuid() + ":" + Bytes.hex(d.data()))
                        .collect(Collectors.joining(",")));
            }
            if (!ad.manufacturerData().isEmpty()) {
                plain.put("manufacturerData", ad.manufacturerData().stream()
                        .map(d -> String.format(Locale.ROOT, "0x%04x:", d.companyId()) + Bytes.hex(d.data())).collect(Collectors.joining(",")));
            }
            if (ad.truncated()) {
                plain.put("truncated", true);
            }
            plain.putAll(context);
            System.out.println(json ? JsonLine.of(plain) : toLine(plain));
        }

        private void print(List<BeaconFrame> frames, Map<String, Object> context) {
            for (BeaconFrame frame : frames) {
                Map<String, Object> fields = new LinkedHashMap<>(frame.fields());
                fields.putAll(context);
                System.out.println(json ? JsonLine.of(fields) : toLine(fields));
            }
        }
    }

    /** {@code type} first as a word, then {@code key=value} pairs. */
    static String toLine(Map<String, Object> fields) {
        List<String> parts = new ArrayList<>();
        fields.forEach((k, v) -> parts.add(k.equals("type") ? String.valueOf(v) : k + "=" + v));
        return String.join(" ", parts);
    }

    /** {@code storegw ble scan}: what the radio hears, live, for a technician standing in the store. */
    @Command(name = "scan", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Scan with BlueZ (LE, duplicate data on) and print every advertisement heard: time, address, "
                + "RSSI, the beacon frames decoded and the identity the gateway would count, then how often each "
                + "device was heard."},
            footer = {"", "Run it where the gateway runs, with the gateway stopped or on another adapter: BlueZ "
                + "shares discovery between its clients. The address is shown here only; the gateway never sends it on.",
                "", "Exit status: 0 scanned, 1 no D-Bus or no adapter (the reason is printed), 2 usage error."})
    static final class Scan implements Callable<Integer> {

        @Option(names = "--seconds", paramLabel = "N", defaultValue = "30", description = "How long to scan (default: ${DEFAULT-VALUE}).")
        int seconds;

        @Option(names = "--json", description = "One JSON object per advertisement, and one per device at the end.")
        boolean json;

        @Option(names = "--adapter", paramLabel = "NAME", description = "The adapter, e.g. hci1 (default: the first).")
        String adapter;

        @Option(names = "--bus", paramLabel = "ADDRESS", description = "A D-Bus address (default: the system bus).")
        String bus;

        @Option(names = "--config", paramLabel = "FILE", description = "Scan as that gateway does: its sources.ble adapter and bus"
                + " (unless --adapter or --bus say otherwise) and its app-beacon scheme (commands.appBeacon).")
        Path config;

        @Override
        public Integer call() throws InterruptedException {
            IdentityResolver.Settings identities = IdentityResolver.Settings.defaults();
            if (config != null) {
                try {
                    GatewayConfig c = ConfigLoader.load(config);
                    adapter = adapter != null ? adapter : c.sources().ble().adapter();
                    bus = bus != null ? bus : c.sources().ble().bus();
                    identities = Gateway.identitySettings(c);
                } catch (ConfigException e) {
                    System.err.println(e.getMessage());
                    return 1;
                }
            }
            Map<String, Integer> perDevice = new java.util.TreeMap<>();
            Object printing = new Object();
            BlueZScanner scanner = new BlueZScanner(new BlueZScanner.Settings(bus, adapter, "scan", Duration.ofMillis(500)),
                    new IdentityResolver(identities, List.of()), Clock.systemUTC(), heard -> {
                        Map<String, Object> line = new LinkedHashMap<>();
                        line.put("type", "heard");
                        line.put("at", heard.at().toString());
                        line.put("address", heard.address());
                        line.put("rssi", heard.rssi());
                        line.put("identity", heard.sighting().advertiser());
                        line.put("frames", heard.frames().stream().map(f -> json ? (Object) f.fields() : f.type()).toList());
                        synchronized (printing) {
                            perDevice.merge(heard.address(), 1, Integer::sum);
                            System.out.println(json ? JsonLine.of(line) : toLine(line));
                        }
                    });
            scanner.start(o -> CompletableFuture.completedFuture(null));
            String problem;
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(Math.max(1, seconds)));
                problem = scanner.problem();
            } finally {
                scanner.close();
            }
            if (problem != null && perDevice.isEmpty()) {
                System.err.println("storegw ble scan: " + problem);
                return 1;
            }
            synchronized (printing) {
                perDevice.forEach((address, n) -> {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("type", "device");
                    line.put("address", address);
                    line.put("advertisements", n);
                    line.put("perSecond", Math.round(n * 100.0 / Math.max(1, seconds)) / 100.0);
                    System.out.println(json ? JsonLine.of(line) : toLine(line));
                });
            }
            return 0;
        }
    }
}
