package io.storegw.drivers.ble.hci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storegw.drivers.ble.BleAddress;
import io.storegw.drivers.ble.BleFormatException;
import io.storegw.drivers.ble.Bytes;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class HciEventsTest {

    /** Two legacy reports from the vectors (PureSwift's lowEnergyScan captures). */
    static final String A_ADDR = "e2fd1772e402";
    static final String A_DATA = "02011b0bff4c000906031ac0a80102";
    static final String B_ADDR = "5d0b46cd69c8";
    static final String B_DATA = "02011a0aff4c0010050110c314dd";

    static byte[] event(int subevent, String parameters) {
        byte[] p = Bytes.parseHex(parameters);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x3E);
        out.write(p.length + 1);
        out.write(subevent);
        out.writeBytes(p);
        return out.toByteArray();
    }

    @Test
    void severalLegacyReportsOneAfterAnotherAsControllersSendThem() {
        String params = "02" + "03" + "01" + A_ADDR + "0f" + A_DATA + "c9" + "00" + "00" + B_ADDR + "0e" + B_DATA + "ca";
        List<AdvertisingReport> reports = HciEvents.parseEvent(event(2, params), 0, event(2, params).length);
        assertTwo(reports);
    }

    @Test
    void severalLegacyReportsInTheArrayedLayout() {
        String params = "02" + "0300" + "0100" + A_ADDR + B_ADDR + "0f0e" + A_DATA + B_DATA + "c9ca";
        byte[] e = event(2, params);
        assertTwo(HciEvents.parseEvent(e, 0, e.length));
    }

    private static void assertTwo(List<AdvertisingReport> reports) {
        assertThat(reports).hasSize(2);
        assertThat(reports.get(0).address()).hasToString("02:E4:72:17:FD:E2");
        assertThat(reports.get(0).eventType()).isEqualTo(3);
        assertThat(reports.get(0).eventTypeName()).isEqualTo("adv-nonconn-ind");
        assertThat(Bytes.hex(reports.get(0).data())).isEqualTo(A_DATA);
        assertThat(reports.get(0).rssi()).isEqualTo(-55);
        assertThat(reports.get(1).address()).hasToString("C8:69:CD:46:0B:5D");
        assertThat(reports.get(1).address().kind()).isEqualTo(BleAddress.Kind.PUBLIC);
        assertThat(Bytes.hex(reports.get(1).data())).isEqualTo(B_DATA);
        assertThat(reports.get(1).rssi()).isEqualTo(-54);
    }

    @Test
    void extendedReportCarriesPhysTxPowerAndDataStatus() {
        // event type 0x0013 legacy|connectable|scannable, complete; then 0x0020 extended, incomplete with more to come
        String one = "1300" + "00" + B_ADDR + "01" + "00" + "ff" + "7f" + "ae" + "0000" + "00" + "000000000000" + "0a" + "0201060 6ff9901020003".replace(" ", "");
        String two = "2000" + "01" + "aabbccddeeff" + "03" + "02" + "05" + "f4" + "7f" + "0000" + "00" + "000000000000" + "03" + "020106";
        byte[] e = event(0x0D, "02" + one + two);
        List<AdvertisingReport> reports = HciEvents.parseEvent(e, 0, e.length);
        assertThat(reports).hasSize(2);
        AdvertisingReport a = reports.get(0);
        assertThat(a.extended()).isTrue();
        assertThat(a.eventTypeName()).isEqualTo("legacy,connectable,scannable");
        assertThat(a.txPower()).isNull();
        assertThat(a.rssi()).isEqualTo(-82);
        assertThat(a.primaryPhy()).isEqualTo(1);
        assertThat(a.sid()).isEqualTo(0xFF);
        assertThat(a.dataStatus()).isEqualTo(AdvertisingReport.DataStatus.COMPLETE);
        assertThat(Bytes.hex(a.data())).isEqualTo("02010606ff9901020003");
        AdvertisingReport b = reports.get(1);
        assertThat(b.dataStatus()).isEqualTo(AdvertisingReport.DataStatus.INCOMPLETE_MORE);
        assertThat(b.primaryPhy()).isEqualTo(3);
        assertThat(b.secondaryPhy()).isEqualTo(2);
        assertThat(b.sid()).isEqualTo(5);
        assertThat(b.txPower()).isEqualTo(-12);
        assertThat(b.rssi()).isNull();
        assertThat(b.address().kind()).isEqualTo(BleAddress.Kind.RANDOM_STATIC);
        assertThat(b.address()).hasToString("FF:EE:DD:CC:BB:AA");
    }

    @Test
    void lengthsThatDoNotAddUpAreRefusedWithTheReason() {
        assertThatThrownBy(() -> HciEvents.parseH4(Bytes.parseHex("043e0c0201")))
                .isInstanceOf(BleFormatException.class).hasMessageContaining("declares 12 parameter bytes but has 2");
        // data length 0x20 runs past the event
        byte[] overrun = event(2, "01" + "00" + "00" + B_ADDR + "20" + "0201" + "c0");
        assertThatThrownBy(() -> HciEvents.parseEvent(overrun, 0, overrun.length))
                .isInstanceOf(BleFormatException.class).hasMessageContaining("does not fit");
        byte[] none = event(2, "00");
        assertThatThrownBy(() -> HciEvents.parseEvent(none, 0, none.length)).hasMessageContaining("Num_Reports 0");
        byte[] cut = event(0x0D, "01" + "1300");
        assertThatThrownBy(() -> HciEvents.parseEvent(cut, 0, cut.length)).hasMessageContaining("cut short");
        assertThatThrownBy(() -> HciEvents.parseH4(new byte[0])).hasMessageContaining("empty");
    }

    @Test
    void otherEventsAndTrailingBytesAreIgnored() {
        assertThat(HciEvents.parseH4(Bytes.parseHex("040e0401030c00"))).isEmpty(); // Command Complete
        assertThat(HciEvents.parseH4(Bytes.parseHex("043e0201ff"))).isEmpty();     // another LE sub-event
        // one report, then two bytes after the declared parameters
        List<AdvertisingReport> r = HciEvents.parseH4(Bytes.parseHex("043e0c02010400b30b7c8fe25800d4" + "ffff"));
        assertThat(r).singleElement().satisfies(x -> assertThat(x.rssi()).isEqualTo(-44));
    }
}
