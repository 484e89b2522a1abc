package io.storegw.gateway.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.json.StrictJson;
import io.storegw.gateway.uplink.PemTls;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;

/**
 * Decides whether a message on a command topic really comes from central: an Ed25519 signature by
 * central's key over the exact payload bytes, a payload naming the same command as its topic, and an
 * issue time within {@code maxAge} of the gateway's clock. Replays are caught later, where the nonce
 * is recorded durably with the command's effect.
 */
public final class CommandVerifier {

    /** The request's fields; any other is refused, so a typo at central shows up at once. */
    private static final List<String> FIELDS = List.of("name", "issued", "nonce", "body");

    /** The largest command accepted; a member with keys and a few cards is well under 4 KB. */
    public static final int MAX_PAYLOAD = 64 * 1024;

    /** What the verifier concluded. */
    public sealed interface Verdict {
    }

    /** Signed by central, fresh, well formed. */
    public record Accepted(SignedCommand command) implements Verdict {
    }

    /**
     * Not taken.
     *
     * @param reason one of {@code unsigned}, {@code bad-signature}, {@code malformed}, {@code stale}
     *               (also the metric's label)
     */
    public record Refused(String reason, String detail) implements Verdict {
    }

    private final PublicKey central;
    private final Duration maxAge;
    private final Clock clock;

    public CommandVerifier(PublicKey central, Duration maxAge, Clock clock) {
        this.central = central;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** Reads central's Ed25519 public key from a PEM file ({@code openssl pkey -pubout}). */
    public static PublicKey publicKey(Path pem) throws IOException, GeneralSecurityException {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(PemTls.der(pem, "PUBLIC KEY")));
        } catch (GeneralSecurityException e) {
            throw new GeneralSecurityException(pem + " is not an Ed25519 public key in PEM"
                    + " (make one with: openssl genpkey -algorithm ed25519 -out central.key && openssl pkey -in central.key -pubout)", e);
        }
    }

    /**
     * @param name      the command named by the topic ({@code .../cmd/{name}})
     * @param signature the base64 of the {@code signature} user property, or null when there was none
     */
    public Verdict verify(String name, byte[] payload, String signature) {
        if (signature == null || signature.isBlank()) {
            return new Refused("unsigned", "no signature user property");
        }
        if (payload.length == 0) {
            return new Refused("malformed", "an empty payload: expected the command as a JSON object");
        }
        if (payload.length > MAX_PAYLOAD) {
            return new Refused("malformed", "payload of " + payload.length + " bytes, at most " + MAX_PAYLOAD);
        }
        try {
            Signature ed = Signature.getInstance("Ed25519");
            ed.initVerify(central);
            ed.update(payload);
            if (!ed.verify(Base64.getDecoder().decode(signature.strip()))) {
                return new Refused("bad-signature", "the signature does not match central's key and this payload");
            }
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return new Refused("bad-signature", "the signature is not a base64 Ed25519 signature");
        }
        JsonNode root;
        try {
            root = StrictJson.read(payload);
        } catch (StrictJson.Invalid e) {
            return new Refused("malformed", e.getMessage());
        }
        if (!root.isObject()) {
            return new Refused("malformed", "expected the payload to be one JSON object");
        }
        String unknown = StrictJson.unknownField(root, FIELDS);
        if (unknown != null) {
            return new Refused("malformed", "unknown field '" + unknown + "' in the payload; a command has " + String.join(", ", FIELDS));
        }
        JsonNode body = root.path("body");
        if (!body.isMissingNode() && !body.isObject()) {
            return new Refused("malformed", "expected body to be a JSON object, got " + body.getNodeType());
        }
        String named = StrictJson.text(root, "name");
        String nonce = StrictJson.text(root, "nonce");
        String issued = StrictJson.text(root, "issued");
        if (!name.equals(named)) {
            return new Refused("malformed", "the payload names command '" + named + "' but came on the topic of '" + name + "'");
        }
        if (nonce == null || nonce.length() < 16 || nonce.length() > 128) {
            return new Refused("malformed", "expected a nonce of 16 to 128 characters");
        }
        Instant at;
        try {
            at = Instant.parse(issued == null ? "" : issued);
        } catch (DateTimeParseException e) {
            return new Refused("malformed", "expected issued as an RFC 3339 time such as 2026-12-01T10:00:00Z, got '" + issued + "'");
        }
        Duration age = Duration.between(at, clock.instant());
        if (age.abs().compareTo(maxAge) > 0) {
            return new Refused("stale", "issued " + at + ", " + age.toSeconds() + " s from the gateway's clock (at most "
                    + maxAge.toSeconds() + " s either way)");
        }
        return new Accepted(new SignedCommand(name, at, nonce, root.path("body")));
    }
}
