package io.storegw.drivers.ble.identity;

import io.storegw.drivers.ble.Bytes;
import io.storegw.drivers.ble.beacon.BeaconDecoder;
import io.storegw.drivers.ble.beacon.BeaconFrame;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.modes.EAXBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The Eddystone-EID cryptography (google/eddystone eid-computation.md and tlm-encrypted.md): temporary
 * keys, ephemeral identifiers, the X25519 + HKDF-SHA256 registration that yields the identity key, and
 * AES-EAX for encrypted telemetry. Beacon time is the beacon's own 32-bit seconds counter.
 */
public final class EidCrypto {

    /** Key and public key length of X25519. */
    public static final int X25519_LENGTH = 32;
    /** Length of an identity key (AES-128). */
    public static final int IDENTITY_KEY_LENGTH = 16;
    private static final int MIC_BITS = 16;

    private EidCrypto() {
    }

    /** One AES-128 block; the EID and RPA schemes use AES as a keyed permutation, never as a mode. */
    static byte[] aes(byte[] key, byte[] block) {
        try {
            return aesBlock(key).doFinal(block);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A single-block AES-128 encryptor under {@code key}, for callers that reuse one key many times. */
    static Cipher aesBlock(byte[] key) {
        try {
            Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
            return aes;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-128 is missing from this JVM", e);
        }
    }

    /** A map that forgets its least recently used entry beyond {@code size}: the address caches. */
    static <K, V> java.util.Map<K, V> lru(int size) {
        return new java.util.LinkedHashMap<>(Math.min(size, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<K, V> eldest) {
                return size() > size;
            }
        };
    }

    /** The temporary key for the 65,536-second block of {@code beaconTime}; worth caching per block. */
    public static byte[] temporaryKey(byte[] identityKey, long beaconTime) {
        byte[] block = new byte[16];
        block[11] = (byte) 0xFF;
        block[14] = (byte) (beaconTime >>> 24);
        block[15] = (byte) (beaconTime >>> 16);
        return aes(identityKey, block);
    }

    /** The EID for {@code beaconTime} under a temporary key and rotation exponent {@code k} (0-15). */
    public static long eid(byte[] temporaryKey, int k, long beaconTime) {
        long quantised = (beaconTime & 0xFFFF_FFFFL) >>> k << k;
        byte[] block = new byte[16];
        block[11] = (byte) k;
        block[12] = (byte) (quantised >>> 24);
        block[13] = (byte) (quantised >>> 16);
        block[14] = (byte) (quantised >>> 8);
        block[15] = (byte) quantised;
        return Bytes.u64be(aes(temporaryKey, block), 0);
    }

    /** The EID a beacon with {@code identityKey} broadcasts at {@code beaconTime}. */
    public static long eidOf(byte[] identityKey, int k, long beaconTime) {
        return eid(temporaryKey(identityKey, beaconTime), k, beaconTime);
    }

    /** The X25519 public key of a private key (any 32 bytes; clamped as RFC 7748 says). */
    public static byte[] x25519Public(byte[] privateKey) {
        requireLength(privateKey, X25519_LENGTH, "X25519 private key");
        byte[] pub = new byte[X25519_LENGTH];
        X25519.scalarMultBase(privateKey, 0, pub, 0);
        return pub;
    }

    /** The X25519 shared secret; refuses the all-zero result of a low-order public key, as the spec requires. */
    public static byte[] x25519Shared(byte[] privateKey, byte[] peerPublic) {
        requireLength(privateKey, X25519_LENGTH, "X25519 private key");
        requireLength(peerPublic, X25519_LENGTH, "X25519 public key");
        byte[] shared = new byte[X25519_LENGTH];
        if (!X25519.calculateAgreement(privateKey, 0, peerPublic, 0, shared, 0)) {
            throw new IllegalArgumentException("X25519 shared secret is zero: the peer's public key is invalid");
        }
        return shared;
    }

    /** The identity key: HKDF-SHA256 of the shared secret, salted with resolver then beacon public key, truncated to 128 bits. */
    public static byte[] identityKey(byte[] shared, byte[] resolverPublic, byte[] beaconPublic) {
        byte[] salt = new byte[2 * X25519_LENGTH];
        System.arraycopy(resolverPublic, 0, salt, 0, X25519_LENGTH);
        System.arraycopy(beaconPublic, 0, salt, X25519_LENGTH, X25519_LENGTH);
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(shared, salt, new byte[0]));
        byte[] key = new byte[IDENTITY_KEY_LENGTH];
        hkdf.generateBytes(key, 0, key.length);
        return key;
    }

    /** The resolver's side of registration: its private key and the beacon's public key give the identity key. */
    public static byte[] resolverIdentityKey(byte[] resolverPrivate, byte[] beaconPublic) {
        return identityKey(x25519Shared(resolverPrivate, beaconPublic), x25519Public(resolverPrivate), beaconPublic);
    }

    /**
     * Decrypts eTLM telemetry sent at {@code beaconTime}.
     *
     * @return the telemetry, or {@code null} when the tag does not verify (wrong key, wrong time, forged)
     */
    public static BeaconFrame.EddystoneTlm decryptTlm(byte[] identityKey, int k, long beaconTime,
                                                      BeaconFrame.EddystoneEncryptedTlm frame) {
        if (frame.truncated()) {
            return null;
        }
        byte[] sealed = Arrays.copyOf(frame.ciphertext(), 14);
        sealed[12] = (byte) (frame.mic() >>> 8);
        sealed[13] = (byte) frame.mic();
        EAXBlockCipher eax = eax(false, identityKey, k, beaconTime, frame.salt());
        byte[] plain = new byte[eax.getOutputSize(sealed.length)];
        try {
            int n = eax.processBytes(sealed, 0, sealed.length, plain, 0);
            eax.doFinal(plain, n);
        } catch (InvalidCipherTextException e) {
            return null;
        }
        return BeaconDecoder.plainTlm(plain, 0);
    }

    /** The beacon's side: encrypts 12 bytes of plain telemetry; for round-trip vectors and test beacons. */
    public static BeaconFrame.EddystoneEncryptedTlm encryptTlm(byte[] identityKey, int k, long beaconTime, int salt,
                                                              byte[] plainTelemetry) {
        requireLength(plainTelemetry, 12, "TLM telemetry");
        EAXBlockCipher eax = eax(true, identityKey, k, beaconTime, salt);
        byte[] out = new byte[eax.getOutputSize(12)];
        try {
            int n = eax.processBytes(plainTelemetry, 0, 12, out, 0);
            eax.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException(e);
        }
        return new BeaconFrame.EddystoneEncryptedTlm(Arrays.copyOf(out, 12), salt & 0xFFFF, Bytes.u16be(out, 12), false);
    }

    /** AES-EAX with a 48-bit nonce: the quantised beacon time (as for the EID) then the 16-bit salt. */
    private static EAXBlockCipher eax(boolean encrypt, byte[] identityKey, int k, long beaconTime, int salt) {
        requireLength(identityKey, IDENTITY_KEY_LENGTH, "identity key");
        long quantised = (beaconTime & 0xFFFF_FFFFL) >>> k << k;
        byte[] nonce = {(byte) (quantised >>> 24), (byte) (quantised >>> 16), (byte) (quantised >>> 8), (byte) quantised,
            (byte) (salt >>> 8), (byte) salt};
        EAXBlockCipher eax = new EAXBlockCipher(AESEngine.newInstance());
        eax.init(encrypt, new AEADParameters(new KeyParameter(identityKey), MIC_BITS, nonce));
        return eax;
    }

    static void requireLength(byte[] value, int length, String what) {
        if (value == null || value.length != length) {
            throw new IllegalArgumentException("%s must be %d bytes, is %s".formatted(what, length,
                    value == null ? "missing" : value.length + " bytes"));
        }
    }
}
