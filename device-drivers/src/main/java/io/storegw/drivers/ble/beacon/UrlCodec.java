package io.storegw.drivers.ble.beacon;

import java.io.ByteArrayOutputStream;

/** The compressed URL encoding of Eddystone-URL and UriBeacon: a scheme prefix byte and expansion codes. */
public final class UrlCodec {

    private static final String[] SCHEMES = {"http://www.", "https://www.", "http://", "https://"};
    private static final String[] EXPANSIONS = {".com/", ".org/", ".edu/", ".net/", ".info/", ".biz/", ".gov/",
        ".com", ".org", ".edu", ".net", ".info", ".biz", ".gov"};
    /** Longest URL body a frame can carry: 31-byte AD payload less the Eddystone header. */
    public static final int MAX_ENCODED = 17;

    private UrlCodec() {
    }

    /**
     * Expands {@code data[offset, offset + length)}: a scheme byte, then text and expansion codes.
     *
     * @throws IllegalArgumentException for an unknown scheme or a reserved byte (0x0E-0x20, 0x7F-0xFF)
     */
    public static String decode(byte[] data, int offset, int length) {
        if (length < 1) {
            throw new IllegalArgumentException("no URL scheme byte");
        }
        int scheme = data[offset] & 0xFF;
        if (scheme >= SCHEMES.length) {
            throw new IllegalArgumentException("unknown URL scheme code 0x%02x".formatted(scheme));
        }
        StringBuilder url = new StringBuilder(SCHEMES[scheme]);
        for (int i = offset + 1; i < offset + length; i++) {
            int c = data[i] & 0xFF;
            if (c < EXPANSIONS.length) {
                url.append(EXPANSIONS[c]);
            } else if (c > 0x20 && c < 0x7F) {
                url.append((char) c);
            } else {
                throw new IllegalArgumentException("reserved byte 0x%02x in URL".formatted(c));
            }
        }
        return url.toString();
    }

    /**
     * Compresses a URL the way a beacon is configured: the longest scheme prefix, then the longest
     * expansion at each position.
     *
     * @throws IllegalArgumentException when the URL has no known scheme, a character outside printable
     *                                  ASCII, or more than {@link #MAX_ENCODED} bytes once compressed
     */
    public static byte[] encode(String url) {
        int scheme = -1;
        for (int i = 0; i < SCHEMES.length; i++) {
            if (url.startsWith(SCHEMES[i]) && (scheme < 0 || SCHEMES[i].length() > SCHEMES[scheme].length())) {
                scheme = i;
            }
        }
        if (scheme < 0) {
            throw new IllegalArgumentException("URL must start with http:// or https://: " + url);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 + MAX_ENCODED);
        out.write(scheme);
        int at = SCHEMES[scheme].length();
        while (at < url.length()) {
            int code = -1;
            for (int e = 0; e < EXPANSIONS.length; e++) {
                if (url.startsWith(EXPANSIONS[e], at) && (code < 0 || EXPANSIONS[e].length() > EXPANSIONS[code].length())) {
                    code = e;
                }
            }
            if (code >= 0) {
                out.write(code);
                at += EXPANSIONS[code].length();
            } else {
                char c = url.charAt(at++);
                if (c <= 0x20 || c >= 0x7F) {
                    throw new IllegalArgumentException("URL character not encodable: " + url);
                }
                out.write(c);
            }
        }
        if (out.size() - 1 > MAX_ENCODED) {
            throw new IllegalArgumentException("URL too long for a beacon frame (%d bytes, at most %d): %s"
                    .formatted(out.size() - 1, MAX_ENCODED, url));
        }
        return out.toByteArray();
    }
}
