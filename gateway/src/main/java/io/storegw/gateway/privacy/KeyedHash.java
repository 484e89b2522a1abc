package io.storegw.gateway.privacy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 under a secret that never leaves the gateway: turns a loyalty number into a reference
 * central can join on, but cannot reverse or recompute by guessing numbers.
 */
public final class KeyedHash {

    private final SecretKeySpec key;
    /**
     * A Mac keyed once per thread (a Mac is not thread-safe): looking one up and keying it for every
     * card was most of the hash's time, which was a tenth of the core loop's at full load (JFR).
     */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::keyedMac);
    private volatile LastCard lastCard;

    public KeyedHash(byte[] secret) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("a keyed-hash secret needs at least 32 bytes");
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    }

    private Mac keyedMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Reads the secret from {@code file}, creating it (owner-only) with 32 random bytes on first use. */
    public static KeyedHash loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp);
            }
            Files.write(tmp, secret, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return new KeyedHash(Files.readAllBytes(file));
    }

    /** The reference of a loyalty card number: what tills' cards and central's member records are matched by. */
    public String loyalty(String cardNumber) {
        // The handlers that see a card sale (POS, journey, pickup) ask for the same card one after another;
        // hashing it three times was 5% of the gateway's time at full load (JFR).
        LastCard last = lastCard;
        if (last != null && last.number().equals(cardNumber)) {
            return last.reference();
        }
        String reference = of("loyalty", cardNumber);
        lastCard = new LastCard(cardNumber, reference);
        return reference;
    }

    private record LastCard(String number, String reference) {
    }

    /** The reference for {@code value} in {@code domain} (so the same number in two roles does not match): 22 URL-safe characters. */
    public String of(String domain, String value) {
        Mac mac = macs.get();
        mac.update(domain.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        byte[] digest = mac.doFinal(value.getBytes(StandardCharsets.UTF_8)); // and ready for the next, keyed as before
        return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16));
    }
}
