package io.storegw.drivers.pos;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a till document in any format the gateway takes; the one way in for the HTTP routes, the
 * spool folder and {@code storegw pos parse}.
 */
public final class PosReader {

    private final PosSettings settings;
    private final PosLogParser poslog;

    public PosReader(PosSettings settings) {
        this.settings = settings;
        this.poslog = new PosLogParser(settings);
    }

    public PosDocument read(PosFormat format, byte[] body) throws PosFormatException {
        if (body.length > settings.maxBytes()) {
            throw new PosFormatException("document larger than " + settings.maxBytes() + " bytes");
        }
        if (format == PosFormat.POSLOG) {
            return poslog.parse(new ByteArrayInputStream(body));
        }
        return profile(format).read(body, settings);
    }

    /** Reads at most the size limit from {@code in}, so an endless stream cannot fill the heap. */
    public PosDocument read(PosFormat format, InputStream in) throws PosFormatException, IOException {
        if (format == PosFormat.POSLOG) {
            return poslog.parse(in);
        }
        byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, settings.maxBytes() + 1));
        return read(format, body);
    }

    private static final JsonProfile SQUARE = new SquareProfile();
    private static final JsonProfile SHOPIFY = new ShopifyProfile();
    private static final JsonProfile LIGHTSPEED = new LightspeedProfile();
    private static final JsonProfile GENERIC = new GenericProfile();

    private static JsonProfile profile(PosFormat format) {
        return switch (format) {
            case SQUARE -> SQUARE;
            case SHOPIFY -> SHOPIFY;
            case LIGHTSPEED -> LIGHTSPEED;
            case GENERIC -> GENERIC;
            case POSLOG -> throw new IllegalArgumentException("POSLog is not a JSON profile");
        };
    }
}
