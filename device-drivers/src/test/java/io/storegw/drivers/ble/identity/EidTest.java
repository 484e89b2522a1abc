package io.storegw.drivers.ble.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.ble.BleVectorsTestAccess;
import io.storegw.drivers.ble.Bytes;
import io.storegw.drivers.ble.beacon.BeaconDecoder;
import io.storegw.drivers.ble.beacon.BeaconFrame;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EidTest {

    static final byte[] IK = Bytes.parseHex("0102030405060708090a111213141516");
    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    /** eTLM vectors from an independent AES-EAX (pycryptodome; see SOURCES.md): both directions, and a bad tag fails. */
    @Test
    void encryptedTlmMatchesIndependentVectors() throws IOException {
        JsonNode vectors = BleVectorsTestAccess.load("/ble/etlm-vectors.json");
        assertThat(vectors.size()).isGreaterThanOrEqualTo(4);
        for (JsonNode v : vectors) {
            byte[] ik = Bytes.parseHex(v.get("identityKey").asText());
            int k = v.get("K").asInt();
            long t = v.get("t").asLong();
            byte[] frameBytes = Bytes.parseHex(v.get("frame").asText());
            byte[] ad = new byte[4 + frameBytes.length];
            ad[0] = (byte) (3 + frameBytes.length);
            ad[1] = 0x16;
            ad[2] = (byte) 0xAA;
            ad[3] = (byte) 0xFE;
            System.arraycopy(frameBytes, 0, ad, 4, frameBytes.length);
            BeaconFrame.EddystoneEncryptedTlm etlm = (BeaconFrame.EddystoneEncryptedTlm) BeaconDecoder.decode(ad).get(0);
            assertThat(etlm.salt()).isEqualTo(v.get("salt").asInt());

            BeaconFrame.EddystoneTlm plain = EidCrypto.decryptTlm(ik, k, t, etlm);
            byte[] want = Bytes.parseHex(v.get("plain").asText());
            assertThat(plain).isEqualTo(BeaconDecoder.plainTlm(want, 0));

            BeaconFrame.EddystoneEncryptedTlm again = EidCrypto.encryptTlm(ik, k, t, etlm.salt(), want);
            assertThat(Bytes.hex(again.ciphertext())).isEqualTo(v.get("etlm").asText());
            assertThat(String.format("%04x", again.mic())).isEqualTo(v.get("mic").asText());

            BeaconFrame.EddystoneEncryptedTlm forged = new BeaconFrame.EddystoneEncryptedTlm(etlm.ciphertext(), etlm.salt(), etlm.mic() ^ 1, false);
            assertThat(EidCrypto.decryptTlm(ik, k, t, forged)).isNull();
            assertThat(EidCrypto.decryptTlm(ik, k, t + (2L << k), etlm)).as("another period's nonce").isNull();
        }
    }

    @Test
    void resolverFollowsTheClockAcrossRotationsAndTemporaryKeyBlocks() {
        EidResolver resolver = new EidResolver(Duration.ofMinutes(5));
        resolver.advanceTo(NOW);
        // beacon clock set close to a temporary-key roll-over, as the spec recommends
        long offset = 65_280 - NOW.getEpochSecond();
        resolver.register(new EidResolver.Registration("member-1", IK, 8, offset));
        resolver.register(new EidResolver.Registration("member-2", Bytes.parseHex("f40d6f18e5882260e847e99ca33ac44f"), 10, 12_345));
        for (int minutes = 0; minutes <= 60; minutes += 3) {
            Instant at = NOW.plusSeconds(60L * minutes);
            resolver.advanceTo(at);
            long beaconTime = at.getEpochSecond() + offset;
            assertThat(resolver.resolve(EidCrypto.eidOf(IK, 8, beaconTime))).as("at +%d min", minutes)
                    .extracting(EidResolver.Registration::id).isEqualTo("member-1");
        }
        assertThat(resolver.resolve(EidCrypto.eidOf(IK, 8, NOW.getEpochSecond() + offset)))
                .as("an hour-old EID, outside the window").isNull();
        assertThat(resolver.resolve(0x1122334455667788L)).isNull();
        resolver.remove("member-1");
        assertThat(resolver.resolve(EidCrypto.eidOf(IK, 8, NOW.plusSeconds(3600).getEpochSecond() + offset))).isNull();
        assertThat(resolver.size()).isEqualTo(1);
    }

    @Test
    void driftWithinToleranceResolvesAndBeyondDoesNot() {
        EidResolver resolver = new EidResolver(Duration.ofMinutes(5));
        resolver.advanceTo(NOW);
        resolver.register(new EidResolver.Registration("m", IK, 6, 0));
        long gateway = NOW.getEpochSecond();
        assertThat(resolver.resolve(EidCrypto.eidOf(IK, 6, gateway + 290))).as("beacon 290 s fast").isNotNull();
        assertThat(resolver.resolve(EidCrypto.eidOf(IK, 6, gateway - 290))).as("beacon 290 s slow").isNotNull();
        assertThat(resolver.resolve(EidCrypto.eidOf(IK, 6, gateway + 900))).as("15 min off").isNull();
    }

    @Test
    void exponentTooSmallForTheDriftIsRefused() {
        EidResolver resolver = new EidResolver(Duration.ofMinutes(5));
        assertThatThrownBy(() -> resolver.register(new EidResolver.Registration("m", IK, 2, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rotates too fast");
        assertThatThrownBy(() -> new EidResolver.Registration("m", new byte[15], 10, 0)).hasMessageContaining("16 bytes");
        assertThatThrownBy(() -> new EidResolver.Registration("m", IK, 16, 0)).hasMessageContaining("0-15");
    }

    @Test
    void resolverDecryptsTelemetryFromTheBeaconsCurrentPeriod() {
        EidResolver resolver = new EidResolver(Duration.ofMinutes(5));
        EidResolver.Registration r = new EidResolver.Registration("b", IK, 10, 1_000);
        byte[] plain = Bytes.parseHex("0b1847110000146700002ac4");
        long beaconTime = r.beaconTime(NOW.getEpochSecond());
        BeaconFrame.EddystoneEncryptedTlm etlm = EidCrypto.encryptTlm(IK, 10, beaconTime, 0x5150, plain);
        assertThat(resolver.decryptTlm(r, etlm, NOW.plusSeconds(1024))).as("a period later").isEqualTo(BeaconDecoder.plainTlm(plain, 0));
        assertThat(resolver.decryptTlm(r, etlm, NOW.plusSeconds(10 * 1024))).isNull();
    }
}
