package io.storegw.drivers.ble.hci;

import io.storegw.drivers.ble.BleFormatException;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads HCI events from a btsnoop capture (RFC 1761 framing), as {@code btmon -w} (datalink 2001, Linux
 * monitor), Android's snoop log and {@code hcidump} (1002, H4) and older tools (1001, plain HCI) write
 * them. A record cut short at the end of the file (the capture was killed) ends the capture quietly.
 */
public final class BtSnoop implements Closeable {

    public static final long DATALINK_HCI = 1001;
    public static final long DATALINK_H4 = 1002;
    public static final long DATALINK_MONITOR = 2001;
    private static final byte[] MAGIC = "btsnoop\0".getBytes(StandardCharsets.US_ASCII);
    /** Microseconds from 0000-01-01 (btsnoop's epoch) to 1970-01-01. */
    private static final long UNIX_EPOCH_MICROS = 0x00DCDDB30F2F8000L;
    /** Larger than any HCI packet (ISO and ACL top out near 64 KiB): anything bigger is a corrupt file. */
    private static final int MAX_RECORD = 70_000;
    private static final int MONITOR_EVENT = 0x0003;

    /** One HCI event from the capture: when it was captured, and the event (code, length, parameters). */
    public record Event(Instant time, byte[] event) {
    }

    /** One advertising report from the capture, with the time its event was captured. */
    public record TimedReport(Instant time, AdvertisingReport report) {
    }

    private final DataInputStream in;
    private final long datalink;
    private long malformed;

    private BtSnoop(InputStream raw) throws IOException {
        this.in = new DataInputStream(new BufferedInputStream(raw));
        byte[] magic = new byte[8];
        try {
            in.readFully(magic);
            int version = in.readInt();
            this.datalink = in.readInt() & 0xFFFF_FFFFL;
            if (!Arrays.equals(magic, MAGIC)) {
                throw new BleFormatException("not a btsnoop file (no 'btsnoop' magic)");
            }
            if (version != 1) {
                throw new BleFormatException("btsnoop version " + version + " (only version 1 exists)");
            }
        } catch (EOFException e) {
            throw new BleFormatException("not a btsnoop file (shorter than its 16-byte header)");
        }
        if (datalink != DATALINK_HCI && datalink != DATALINK_H4 && datalink != DATALINK_MONITOR) {
            throw new BleFormatException("btsnoop datalink " + datalink + " (supported: 1001 HCI, 1002 H4, 2001 Linux monitor)");
        }
    }

    public static BtSnoop open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        try {
            return new BtSnoop(in);
        } catch (BleFormatException | IOException e) {
            in.close();
            throw e;
        }
    }

    public static BtSnoop open(InputStream in) throws IOException {
        return new BtSnoop(in);
    }

    public long datalink() {
        return datalink;
    }

    /** Events that were HCI events but did not parse as such; skipped by {@link #forEachReport}. */
    public long malformed() {
        return malformed;
    }

    /** The next HCI event in the capture, or {@code null} at its end; other packets are skipped. */
    public Event next() throws IOException {
        while (true) {
            int included;
            int flags;
            long micros;
            byte[] packet;
            try {
                in.readInt(); // original length
                included = in.readInt();
                flags = in.readInt();
                in.readInt(); // cumulative drops
                micros = in.readLong();
                if (included < 0 || included > MAX_RECORD) {
                    throw new BleFormatException("btsnoop record of %d bytes: the file is corrupt".formatted(included & 0xFFFF_FFFFL));
                }
                packet = new byte[included];
                in.readFully(packet);
            } catch (EOFException e) {
                return null;
            }
            Instant time = Instant.EPOCH.plusNanos(Math.multiplyExact(micros - UNIX_EPOCH_MICROS, 1000L));
            byte[] event = eventOf(flags, packet);
            if (event != null) {
                return new Event(time, event);
            }
        }
    }

    private byte[] eventOf(int flags, byte[] packet) {
        if (datalink == DATALINK_MONITOR) {
            return (flags & 0xFFFF) == MONITOR_EVENT ? packet : null;
        }
        if (datalink == DATALINK_H4) {
            return packet.length > 0 && (packet[0] & 0xFF) == HciEvents.H4_EVENT ? Arrays.copyOfRange(packet, 1, packet.length) : null;
        }
        return (flags & 0b11) == 0b11 ? packet : null; // 1001: bit 1 command/event, bit 0 received
    }

    /** Calls {@code consumer} with every advertising report in the capture, in order; bad events are counted and skipped. */
    public void forEachReport(Consumer<TimedReport> consumer) throws IOException {
        for (Event e = next(); e != null; e = next()) {
            List<AdvertisingReport> reports;
            try {
                reports = HciEvents.parseEvent(e.event(), 0, e.event().length);
            } catch (BleFormatException bad) {
                malformed++;
                continue;
            }
            for (AdvertisingReport r : reports) {
                consumer.accept(new TimedReport(e.time(), r));
            }
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
