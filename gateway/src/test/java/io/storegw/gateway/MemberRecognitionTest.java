package io.storegw.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.ble.BleAddress;
import io.storegw.drivers.ble.beacon.BeaconFrame;
import io.storegw.drivers.ble.identity.AppBeacon;
import io.storegw.drivers.ble.identity.Identity;
import io.storegw.drivers.ble.identity.IdentityResolver;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.members.Member;
import io.storegw.gateway.members.MemberDirectory;
import io.storegw.gateway.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The radios as the gateway builds them recognise an iPhone by the app-beacon scheme of the config, and only with it. */
class MemberRecognitionTest {

    static final UUID APP = UUID.fromString("e2c56db5-dffb-48d2-b060-d0f5a71096e0");
    static final byte[] SECRET = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");

    /** The member's iPhone at 10:07, advertising the app beacon of its secret's current period. */
    static final Instant NOW = Instant.parse("2026-11-23T10:07:00Z");
    static final List<BeaconFrame> FRAMES = frames(SECRET);
    static final BleAddress ADDRESS = BleAddress.parse("4A:11:22:33:44:55", true);

    @TempDir
    Path dir;

    static List<BeaconFrame> frames(byte[] secret) {
        int mm = AppBeacon.majorMinor(secret, new AppBeacon(APP, Duration.ofMinutes(15)).counter(NOW));
        return List.of(new BeaconFrame.IBeacon(APP, mm >>> 16, mm & 0xFFFF, -59));
    }

    @Test
    void anAppBeaconMemberIsRecognisedOnlyWhenTheConfigNamesTheScheme() {
        MemberDirectory members = new MemberDirectory();
        members.publish(List.of(new Member("m-ios", "c-1", null, HexFormat.of().formatHex(SECRET), List.of())));

        GatewayConfig with = TestConfigs.withoutSources(dir, "tcp://127.0.0.1:1883",
                "commands:\n  appBeacon: {uuid: " + APP + ", period: 15m}\n");
        IdentityResolver radio = new IdentityResolver(Gateway.identitySettings(with), List.of(), null, members.registrations());
        assertThat(radio.resolve(ADDRESS, FRAMES, NOW).identity()).isEqualTo(new Identity.Member("m-ios", "app-beacon"));

        GatewayConfig without = TestConfigs.withoutSources(dir, "tcp://127.0.0.1:1883", "");
        IdentityResolver blind = new IdentityResolver(Gateway.identitySettings(without), List.of(), null, members.registrations());
        assertThat(blind.resolve(ADDRESS, FRAMES, NOW).identity()).isNotInstanceOf(Identity.Member.class);
    }

    /** A member put in after the start is recognised at the radio's next advertisement; removed, no longer, nor after a change of secret. */
    @Test
    void aMemberChangedOneByOneIsFollowedByTheRadio() {
        MemberDirectory members = new MemberDirectory();
        members.publish(List.of(new Member("m-other", "c-0", null, "ff" + HexFormat.of().formatHex(SECRET), List.of())));
        GatewayConfig with = TestConfigs.withoutSources(dir, "tcp://127.0.0.1:1883",
                "commands:\n  appBeacon: {uuid: " + APP + ", period: 15m}\n");
        IdentityResolver radio = new IdentityResolver(Gateway.identitySettings(with), List.of(), null, members.registrations());
        assertThat(radio.resolve(ADDRESS, FRAMES, NOW).identity()).isNotInstanceOf(Identity.Member.class);

        members.put(new Member("m-ios", "c-1", null, HexFormat.of().formatHex(SECRET), List.of()));
        assertThat(radio.resolve(ADDRESS, FRAMES, NOW).identity()).isEqualTo(new Identity.Member("m-ios", "app-beacon"));
        members.put(new Member("m-ios", "c-1", null, "ee" + HexFormat.of().formatHex(SECRET), List.of()));
        assertThat(radio.resolve(ADDRESS, FRAMES, NOW).identity()).as("its old secret").isNotInstanceOf(Identity.Member.class);
        members.put(new Member("m-ios", "c-1", null, HexFormat.of().formatHex(SECRET), List.of()));
        members.remove("m-ios");
        assertThat(radio.resolve(ADDRESS, FRAMES, NOW).identity()).as("removed").isNotInstanceOf(Identity.Member.class);
        assertThat(members.registrations().size()).isEqualTo(1);
    }
}
