package io.storegw.drivers.pos;

import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One way a till proves who it is. The HTTP source asks each configured scheme in turn; the first to
 * vouch for a request names the till. Every comparison is constant-time.
 */
public sealed interface TillAuth {

    /** The till's name when this scheme vouches for the request, else null. */
    String till(PosFormat format, HttpHeaders headers, byte[] body);

    /** {@code Authorization: Bearer TOKEN}, one token per till, on every route. */
    record BearerTokens(Map<String, String> tillByToken) implements TillAuth {
        public BearerTokens {
            tillByToken = Map.copyOf(tillByToken);
        }

        @Override
        public String till(PosFormat format, HttpHeaders headers, byte[] body) {
            String authorization = headers.get("Authorization");
            if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return null;
            }
            byte[] offered = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
            String match = null;
            for (Map.Entry<String, String> e : tillByToken.entrySet()) {
                if (MessageDigest.isEqual(offered, e.getKey().getBytes(StandardCharsets.UTF_8))) {
                    match = e.getValue();
                }
            }
            return match;
        }
    }

    /**
     * {@code Authorization: Bearer TOKEN} for tills added while the gateway runs ({@code storegw tills add}):
     * only the SHA-256 of each token is known, so the lookup is by the offered token's hash.
     *
     * @param tillByTokenHash the tills now, by the lowercase hex SHA-256 of their token
     */
    record HashedTokens(Supplier<Map<String, String>> tillByTokenHash) implements TillAuth {
        @Override
        public String till(PosFormat format, HttpHeaders headers, byte[] body) {
            String authorization = headers.get("Authorization");
            if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return null;
            }
            Map<String, String> tills = tillByTokenHash.get();
            return tills.isEmpty() ? null : tills.get(sha256Hex(authorization.substring(7).strip()));
        }

        /** The form a token is known by. */
        public static String sha256Hex(String token) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("no SHA-256 in this JDK", e);
            }
        }
    }

    /**
     * A Square webhook relayed as-is: {@code x-square-hmacsha256-signature} is the Base64 HMAC-SHA256,
     * under the subscription's signature key, of the notification URL Square posted to followed by the
     * raw body. Only on the {@code square} route.
     */
    record SquareSignature(byte[] signatureKey, String notificationUrl) implements TillAuth {
        @Override
        public String till(PosFormat format, HttpHeaders headers, byte[] body) {
            if (format != PosFormat.SQUARE) {
                return null;
            }
            byte[] url = notificationUrl.getBytes(StandardCharsets.UTF_8);
            byte[] signed = new byte[url.length + body.length];
            System.arraycopy(url, 0, signed, 0, url.length);
            System.arraycopy(body, 0, signed, url.length, body.length);
            return matches(headers.get("x-square-hmacsha256-signature"), hmacSha256(signatureKey, signed)) ? "square" : null;
        }
    }

    /**
     * A Shopify webhook relayed as-is: {@code X-Shopify-Hmac-Sha256} is the Base64 HMAC-SHA256 of the raw
     * body under the app's client secret. Only on the {@code shopify} route.
     */
    record ShopifySignature(byte[] secret) implements TillAuth {
        @Override
        public String till(PosFormat format, HttpHeaders headers, byte[] body) {
            if (format != PosFormat.SHOPIFY) {
                return null;
            }
            return matches(headers.get("X-Shopify-Hmac-Sha256"), hmacSha256(secret, body)) ? "shopify" : null;
        }
    }

    private static boolean matches(String header, byte[] expected) {
        if (header == null) {
            return false;
        }
        byte[] offered;
        try {
            offered = Base64.getDecoder().decode(header.strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(offered, expected);
    }

    private static byte[] hmacSha256(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }
}
