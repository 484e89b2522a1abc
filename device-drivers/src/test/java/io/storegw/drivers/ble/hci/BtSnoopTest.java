package io.storegw.drivers.ble.hci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storegw.drivers.ble.BleFormatException;
import io.storegw.drivers.ble.Bytes;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * btsnoop captures written here with the framing btmon and Android use (RFC 1761 records, big-endian,
 * microseconds since year 0), holding the HCI events of the shared vectors plus packets a reader must skip.
 */
class BtSnoopTest {

    static final long EPOCH_MICROS = 0x00DCDDB30F2F8000L;
    static final Instant T0 = Instant.parse("2026-11-23T10:15:30.123456Z");
    static final String IBEACON_EVENT = "3e2a02010301" + "3594efcdd61c" + "1e" + "0201061aff4c0002154142434445464748494041424344454600010002f8" + "dd";
    static final String SCAN_RSP_EVENT = "3e18020104009eef06ae1a000c0b09426c75655a20352e3433ba";

    /** Writes a capture: each record is (flags, packet bytes) at T0 + i ms. */
    static byte[] capture(long datalink, List<Object[]> records, boolean cutLast) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeBytes("btsnoop\0");
        out.writeInt(1);
        out.writeInt((int) datalink);
        for (int i = 0; i < records.size(); i++) {
            int flags = (Integer) records.get(i)[0];
            byte[] packet = (byte[]) records.get(i)[1];
            long micros = T0.getEpochSecond() * 1_000_000 + T0.getNano() / 1000 + i * 1000L + EPOCH_MICROS;
            out.writeInt(packet.length);
            out.writeInt(packet.length);
            out.writeInt(flags);
            out.writeInt(0);
            out.writeLong(micros);
            out.write(packet);
        }
        byte[] all = bytes.toByteArray();
        return cutLast ? java.util.Arrays.copyOf(all, all.length - 5) : all;
    }

    static List<BtSnoop.TimedReport> read(Path file) throws IOException {
        List<BtSnoop.TimedReport> reports = new ArrayList<>();
        try (BtSnoop snoop = BtSnoop.open(file)) {
            snoop.forEachReport(reports::add);
        }
        return reports;
    }

    @Test
    void linuxMonitorCaptureAsBtmonWritesIt(@TempDir Path dir) throws IOException {
        // monitor opcodes: 2 command, 3 event, 12 new index (skipped); flags' high half is the adapter index
        Path file = dir.resolve("btmon.log");
        Files.write(file, capture(BtSnoop.DATALINK_MONITOR, List.of(
                new Object[] {12, new byte[16]},
                new Object[] {2, Bytes.parseHex("0b200107")},
                new Object[] {3, Bytes.parseHex(IBEACON_EVENT)},
                new Object[] {0x10003, Bytes.parseHex(SCAN_RSP_EVENT)},
                new Object[] {3, Bytes.parseHex("3e0c0201")},           // broken event: counted, skipped
                new Object[] {3, Bytes.parseHex(IBEACON_EVENT)}), true));  // cut short by kill: ends the capture
        List<BtSnoop.TimedReport> reports = read(file);
        assertThat(reports).hasSize(2);
        assertThat(reports.get(0).time()).isEqualTo(T0.plusMillis(2));
        assertThat(reports.get(0).report().address()).hasToString("1C:D6:CD:EF:94:35");
        assertThat(reports.get(0).report().rssi()).isEqualTo(-35);
        assertThat(reports.get(1).time()).isEqualTo(T0.plusMillis(3));
        assertThat(reports.get(1).report().eventTypeName()).isEqualTo("scan-rsp");
    }

    @Test
    void h4CaptureAsAndroidAndHcidumpWriteIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("h4.log");
        Files.write(file, capture(BtSnoop.DATALINK_H4, List.of(
                new Object[] {2, Bytes.parseHex("010b200107")},          // H4 command
                new Object[] {3, Bytes.parseHex("04" + IBEACON_EVENT)},
                new Object[] {1, Bytes.parseHex("02010020000400")}), false)); // ACL data
        List<BtSnoop.TimedReport> reports = read(file);
        assertThat(reports).singleElement().satisfies(r -> assertThat(r.report().rssi()).isEqualTo(-35));
        assertThat(reports.get(0).time()).isEqualTo(T0.plusMillis(1));
    }

    @Test
    void notACaptureIsRefusedAtOnce(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("x.txt"), "hello, this is not a capture");
        assertThatThrownBy(() -> BtSnoop.open(text)).isInstanceOf(BleFormatException.class).hasMessageContaining("magic");
        Path pcap = dir.resolve("x.pcap");
        Files.write(pcap, capture(201, List.<Object[]>of(), false));
        assertThatThrownBy(() -> BtSnoop.open(pcap)).hasMessageContaining("datalink 201");
        Files.write(pcap, new byte[] {'b', 't'});
        assertThatThrownBy(() -> BtSnoop.open(pcap)).hasMessageContaining("shorter than");
        byte[] huge = capture(BtSnoop.DATALINK_MONITOR, List.<Object[]>of(new Object[] {3, new byte[4]}), false);
        huge[16 + 4] = 0x7F; // included length ~2 GB
        Files.write(pcap, huge);
        try (BtSnoop snoop = BtSnoop.open(pcap)) {
            assertThatThrownBy(snoop::next).isInstanceOf(BleFormatException.class).hasMessageContaining("corrupt");
        }
    }
}
