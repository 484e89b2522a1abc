package io.storegw.drivers.ble.identity;

import io.storegw.drivers.ble.BleAddress;
import io.storegw.drivers.ble.beacon.BeaconFrame;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Decides who an advertisement came from: an Eddystone-EID or app-beacon frame that resolves names a
 * member, a resolvable private address that resolves names a staff device, a fixed-beacon frame names
 * that beacon, and everything else is anonymous. Also decrypts eTLM from a beacon whose EID was
 * resolved at the same address. Not thread-safe: the core loop owns it.
 */
public final class IdentityResolver {

    /**
     * @param appBeacon      the app-beacon scheme, or {@code null} when the retailer's app does not use it
     * @param appBeaconWindow periods either side of now an app-beacon major/minor still resolves in
     * @param eidDrift       clock drift tolerated between EID beacons and the gateway
     * @param addressCache   addresses remembered (RPA answers, EID-to-eTLM pairing)
     */
    public record Settings(AppBeacon appBeacon, int appBeaconWindow, Duration eidDrift, int addressCache) {
        public static Settings defaults() {
            return new Settings(null, 1, Duration.ofMinutes(5), 4_096);
        }

        public Settings withAppBeacon(AppBeacon scheme) {
            return new Settings(scheme, appBeaconWindow, eidDrift, addressCache);
        }
    }

    /**
     * What was learnt from one advertisement: who, and the telemetry its TLM frame held, if any: a
     * member's decrypted eTLM, or a fixed beacon's plain TLM (paired with the beacon by its address).
     */
    public record Resolution(Identity identity, BeaconFrame.EddystoneTlm telemetry) {
    }

    private final Settings settings;
    private final EidResolver eids;
    private final AppBeacon.Resolver appBeacons;
    private final RpaResolver staff;
    private final Map<Long, EidResolver.Registration> eidByAddress;
    /** Fixed beacons by address, so their plain TLM frames (sent alone) are told apart from nobody's. */
    private final Map<Long, Identity.FixedBeacon> fixedByAddress;
    private final SessionReferences sessions;
    private final Registrations registrations;
    /** The registrations this resolver applied last, and their version. */
    private Map<String, Registrations.Registered> applied = Map.of();
    private long appliedVersion;
    private long ambiguous;
    private long unusable;

    public IdentityResolver(Settings settings, List<RpaResolver.Irk> staffIrks) {
        this(settings, staffIrks, null);
    }

    /** @param sessions makes anonymous devices countable one by one within a day, or null to leave them all as one */
    public IdentityResolver(Settings settings, List<RpaResolver.Irk> staffIrks, SessionReferences sessions) {
        this(settings, staffIrks, sessions, null);
    }

    /** @param registrations the members central registered, followed as they change; or null for none */
    public IdentityResolver(Settings settings, List<RpaResolver.Irk> staffIrks, SessionReferences sessions, Registrations registrations) {
        this.registrations = registrations;
        this.settings = settings;
        this.eids = new EidResolver(settings.eidDrift());
        this.appBeacons = settings.appBeacon() == null ? null : new AppBeacon.Resolver(settings.appBeacon(), settings.appBeaconWindow());
        this.staff = new RpaResolver(staffIrks, settings.addressCache());
        this.eidByAddress = EidCrypto.lru(settings.addressCache());
        this.fixedByAddress = EidCrypto.lru(settings.addressCache());
        this.sessions = sessions;
    }

    /** Registered EID advertisers (beacons and Android phones). */
    public EidResolver eids() {
        return eids;
    }

    /** Registered app-beacon members; {@code null} when the scheme is off. */
    public AppBeacon.Resolver appBeacons() {
        return appBeacons;
    }

    /** App-beacon majors/minors that two members shared, so that resolved to nobody. */
    public long ambiguous() {
        return ambiguous;
    }

    /** Member registrations that could not be used (an EID exponent too small for the drift tolerance). */
    public long unusable() {
        return unusable;
    }

    /** Takes up the members published since the last advertisement: removes the gone, registers the new and changed. */
    private void follow() {
        Registrations.Snapshot now = registrations.current();
        if (now.version() == appliedVersion) {
            return;
        }
        applied.forEach((id, was) -> {
            if (!was.equals(now.members().get(id))) {
                eids.remove(id);
                eidByAddress.values().removeIf(r -> r.id().equals(id)); // its eTLM must not name them either
                if (appBeacons != null) {
                    appBeacons.remove(id);
                }
            }
        });
        now.members().forEach((id, r) -> {
            if (r.equals(applied.get(id))) {
                return;
            }
            try {
                if (r.eidIdentityKey() != null) {
                    eids.register(new EidResolver.Registration(id, java.util.HexFormat.of().parseHex(r.eidIdentityKey()), r.eidExponent(), 0));
                }
                if (r.appBeaconSecret() != null && appBeacons != null) {
                    appBeacons.register(id, java.util.HexFormat.of().parseHex(r.appBeaconSecret()));
                }
            } catch (IllegalArgumentException e) {
                unusable++;
            }
        });
        applied = now.members();
        appliedVersion = now.version();
    }

    /** Moves the precomputed windows to {@code now}; call before registering and resolving. */
    public void advanceTo(Instant now) {
        eids.advanceTo(now);
        if (appBeacons != null) {
            appBeacons.advanceTo(now);
        }
    }

    /** Resolves one advertisement heard at {@code now} from {@code address} carrying {@code frames}. */
    public Resolution resolve(BleAddress address, List<BeaconFrame> frames, Instant now) {
        if (registrations != null) {
            follow();
        }
        advanceTo(now);
        Identity.FixedBeacon identity = null;
        BeaconFrame.EddystoneEncryptedTlm etlm = null;
        BeaconFrame.EddystoneTlm tlm = null;
        boolean phone = false;
        for (BeaconFrame frame : frames) {
            if (frame instanceof BeaconFrame.EddystoneEid eid) {
                EidResolver.Registration r = eids.resolve(eid.eid());
                if (r != null) {
                    eidByAddress.put(address.value(), r);
                    return new Resolution(new Identity.Member(r.id(), "eddystone-eid"), null);
                }
                phone = true;
            } else if (frame instanceof BeaconFrame.IBeacon ib && isAppBeacon(ib)) {
                String member = appBeacons.resolve(ib.major(), ib.minor());
                if (member != null) {
                    return new Resolution(new Identity.Member(member, "app-beacon"), null);
                }
                if (appBeacons.ambiguous(ib.major(), ib.minor())) {
                    ambiguous++;
                }
                phone = true;
            } else if (identity == null) {
                identity = fixedBeacon(frame);
            }
            if (frame instanceof BeaconFrame.EddystoneEncryptedTlm e) {
                etlm = e;
            } else if (frame instanceof BeaconFrame.EddystoneTlm t) {
                tlm = t;
            }
        }
        if (etlm != null) {
            EidResolver.Registration r = eidByAddress.get(address.value());
            if (r != null) {
                return new Resolution(new Identity.Member(r.id(), "eddystone-eid"), eids.decryptTlm(r, etlm, now));
            }
        }
        if (identity != null && !phone) {
            fixedByAddress.put(address.value(), identity);
            return new Resolution(identity, tlm);
        }
        Identity.FixedBeacon beacon = tlm == null || phone ? null : fixedByAddress.get(address.value());
        if (beacon != null) {
            return new Resolution(beacon, tlm);
        }
        String staffId = staff.resolve(address);
        if (staffId != null) {
            return new Resolution(new Identity.Staff(staffId), null);
        }
        return new Resolution(anonymous("addr:" + address.value(), now), null);
    }

    /** Nobody, with a session reference when this resolver makes them; {@code device} is what tells devices apart on air. */
    public Identity.Anonymous anonymous(String device, Instant now) {
        return sessions == null ? Identity.Anonymous.INSTANCE : new Identity.Anonymous(sessions.of(device, now));
    }

    private boolean isAppBeacon(BeaconFrame.IBeacon frame) {
        return appBeacons != null && frame.uuid().equals(settings.appBeacon().uuid());
    }

    /** The identity a fixed-beacon frame names, or {@code null} for frames that name nobody (URL, TLM, malformed). */
    private static Identity.FixedBeacon fixedBeacon(BeaconFrame frame) {
        if (frame instanceof BeaconFrame.IBeacon ib) {
            return new Identity.FixedBeacon("ibeacon:" + ib.uuid() + '/' + ib.major() + '/' + ib.minor());
        }
        if (frame instanceof BeaconFrame.AltBeacon ab) {
            return new Identity.FixedBeacon("altbeacon:" + ab.uuid() + '/' + ab.id2() + '/' + ab.id3());
        }
        if (frame instanceof BeaconFrame.EddystoneUid uid) {
            return new Identity.FixedBeacon("eddystone-uid:" + uid.namespace() + '/' + uid.instance());
        }
        return null;
    }
}
