package io.storegw.drivers.ble.identity;

import io.storegw.drivers.ble.BleAddress;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;

/**
 * Resolves resolvable private addresses against known identity resolving keys (staff devices), with
 * the answer cached per address: a device keeps an address for its rotation interval (about 15
 * minutes), so each IRK is tried once per address, not once per advertisement. Not thread-safe.
 */
public final class RpaResolver {

    /**
     * An IRK and whose it is.
     *
     * @param irk the key most significant byte first, as the Core spec and BlueZ's {@code info} files print it
     */
    public record Irk(String id, byte[] irk) {
        public Irk {
            EidCrypto.requireLength(irk, 16, "IRK");
            irk = irk.clone();
        }

        /** An IRK as HCI and SMP carry it: least significant byte first. */
        public static Irk fromLittleEndian(String id, byte[] irkLe) {
            byte[] msbFirst = new byte[irkLe.length];
            for (int i = 0; i < irkLe.length; i++) {
                msbFirst[i] = irkLe[irkLe.length - 1 - i];
            }
            return new Irk(id, msbFirst);
        }
    }

    private record Key(String id, Cipher aes) {
    }

    private final List<Key> keys = new ArrayList<>();
    private final Map<Long, Optional<String>> cache;

    /** @param cacheSize addresses remembered; the least recently seen go first */
    public RpaResolver(List<Irk> irks, int cacheSize) {
        for (Irk irk : irks) {
            keys.add(new Key(irk.id(), EidCrypto.aesBlock(irk.irk())));
        }
        this.cache = EidCrypto.lru(cacheSize);
    }

    /** The Core spec's random address hash: ah(k, r) = e(k, 0^104 || r) mod 2^24. */
    public static int ah(byte[] irkMsbFirst, int prand) {
        return ah(EidCrypto.aesBlock(irkMsbFirst), prand);
    }

    private static int ah(Cipher aes, int prand) {
        byte[] block = new byte[16];
        block[13] = (byte) (prand >>> 16);
        block[14] = (byte) (prand >>> 8);
        block[15] = (byte) prand;
        try {
            byte[] out = aes.doFinal(block);
            return (out[13] & 0xFF) << 16 | (out[14] & 0xFF) << 8 | out[15] & 0xFF;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whose device this is, or {@code null} when it is not a resolvable private address or no IRK matches. */
    public String resolve(BleAddress address) {
        if (address.kind() != BleAddress.Kind.RESOLVABLE_PRIVATE) {
            return null;
        }
        return cache.computeIfAbsent(address.value(), a -> {
            for (Key key : keys) {
                if (ah(key.aes(), address.prand()) == address.hash()) {
                    return Optional.of(key.id());
                }
            }
            return Optional.empty();
        }).orElse(null);
    }
}
