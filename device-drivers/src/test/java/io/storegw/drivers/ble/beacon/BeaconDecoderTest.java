package io.storegw.drivers.ble.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storegw.drivers.ble.BleSightings;
import io.storegw.drivers.ble.Bytes;
import io.storegw.drivers.ble.ad.AdStructures;
import io.storegw.drivers.ble.ad.Advertisement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BeaconDecoderTest {

    @Test
    void walkerSkipsZeroLengthEntriesReadsEveryUuidFormAndReportsATruncatedTail() {
        Advertisement ad = AdStructures.parse(Bytes.parseHex(
                "00" + "020106" + "00" + "0503aafed8fe" + "050478563412" + "1107" + "0f0e0d0c0b0a09080706050403020100"
                        + "0720785634121122" + "1321" + "0f0e0d0c0b0a09080706050403020100" + "abcd" + "0508" + "41424344" + "ff0102"));
        assertThat(ad.flags()).isEqualTo(6);
        assertThat(ad.serviceUuids()).containsExactly(Bytes.uuidOf(0xFEAA), Bytes.uuidOf(0xFED8), Bytes.uuidOf(0x12345678),
                UUID.fromString("00010203-0405-0607-0809-0a0b0c0d0e0f"));
        assertThat(ad.serviceData()).hasSize(2);
        assertThat(ad.serviceData().get(0).uuid()).isEqualTo(Bytes.uuidOf(0x12345678));
        assertThat(Bytes.hex(ad.serviceData().get(0).data())).isEqualTo("1122");
        assertThat(ad.serviceData().get(1).uuid()).isEqualTo(UUID.fromString("00010203-0405-0607-0809-0a0b0c0d0e0f"));
        assertThat(Bytes.hex(ad.serviceData().get(1).data())).isEqualTo("abcd");
        assertThat(ad.localName()).isEqualTo("ABCD");
        assertThat(ad.truncated()).as("0xff declares 255 bytes; two follow").isTrue();
    }

    @Test
    void framesThatBreakTheirFormatAreReportedNotThrown() {
        assertThat(BeaconDecoder.decode(Bytes.parseHex("0bff4c000215" + "0102030405060708"))).singleElement()
                .isEqualTo(new BeaconFrame.Malformed("ibeacon", "needs 23 bytes after the company id, has 8"));
        assertThat(BeaconDecoder.decode(Bytes.parseHex("0616aafe00e7aa"))).singleElement()
                .extracting(BeaconFrame::type).isEqualTo("malformed");
        assertThat(BeaconDecoder.decode(Bytes.parseHex("0716aafe10e7021f"))).singleElement()
                .isEqualTo(new BeaconFrame.Malformed("eddystone-url", "reserved byte 0x1f in URL"));
        assertThat(BeaconDecoder.decode(Bytes.parseHex("0616aafe2002ab"))).singleElement()
                .isEqualTo(new BeaconFrame.Malformed("eddystone-tlm", "unknown TLM version 2"));
        assertThat(BeaconDecoder.decode(Bytes.parseHex("0516aafe50aa"))).singleElement().extracting(BeaconFrame::type).isEqualTo("malformed");
        // Apple's other manufacturer data (Nearby, AirPlay) is not a beacon at all
        assertThat(BeaconDecoder.decode(Bytes.parseHex("0aff4c001005011ca52a7e"))).isEmpty();
    }

    @Test
    void reservedBitsAreMaskedAndTrailingBytesIgnored() {
        // UID frame type 0x0F (reserved low nibble set), 2 RFU bytes and 3 more after them
        List<BeaconFrame> frames = BeaconDecoder.decode(Bytes.parseHex("1a16aafe0fe7" + "00010203040506070809" + "0a0b0c0d0e0f" + "0000" + "ffffff"));
        assertThat(frames).singleElement().isEqualTo(new BeaconFrame.EddystoneUid(-25, "00010203040506070809", "0a0b0c0d0e0f"));
        BeaconFrame.EddystoneTlm tlm = BeaconDecoder.plainTlm(Bytes.parseHex("0000800000000001" + "0000000a"), 0);
        assertThat(tlm.batteryMv()).as("0 mV: no battery reading").isNull();
        assertThat(tlm.temperatureC()).as("0x8000: not supported").isNull();
        assertThat(tlm.fields()).containsEntry("uptimeS", 1.0).doesNotContainKeys("batteryMv", "temperatureC");
        assertThat(BeaconDecoder.plainTlm(Bytes.parseHex("0bb8ff800000000000000000"), 0).temperatureC()).isEqualTo(-0.5);
    }

    @Test
    void eidFrameAndBlueZServiceDataForm() {
        List<BeaconFrame> frames = BeaconDecoder.decodeBlueZ(Map.of(),
                Map.of("0000feaa-0000-1000-8000-00805f9b34fb", Bytes.parseHex("30eca9b76a71c5f89290")));
        assertThat(frames).singleElement().isEqualTo(new BeaconFrame.EddystoneEid(-20, 0xa9b76a71c5f89290L));
        assertThat(((BeaconFrame.EddystoneEid) frames.get(0)).fields()).containsEntry("eid", "a9b76a71c5f89290");
        assertThat(BleSightings.txPowerAt1m(frames)).as("0 m power less 41 dB").isEqualTo(-61);
        assertThat(BeaconDecoder.decodeBlueZ(Map.of(), Map.of("feaa", new byte[] {0x30}))).singleElement()
                .extracting(BeaconFrame::type).isEqualTo("malformed");
    }

    @Test
    void urlEncodingPicksTheLongestExpansionAndRefusesWhatCannotBeSent() {
        assertThat(Bytes.hex(UrlCodec.encode("https://www.example.org/shop"))).isEqualTo("01" + Bytes.hex("example".getBytes()) + "01" + Bytes.hex("shop".getBytes()));
        assertThat(UrlCodec.decode(UrlCodec.encode("https://goo.gl/hqBXE1"), 0, 14)).isEqualTo("https://goo.gl/hqBXE1");
        assertThatThrownBy(() -> UrlCodec.encode("ftp://x")).hasMessageContaining("http://");
        assertThatThrownBy(() -> UrlCodec.encode("https://a-very-long-domain-name.example/")).hasMessageContaining("too long");
        assertThatThrownBy(() -> UrlCodec.encode("https://a b")).hasMessageContaining("not encodable");
        assertThatThrownBy(() -> UrlCodec.decode(new byte[] {9}, 0, 1)).hasMessageContaining("scheme code 0x09");
    }
}
