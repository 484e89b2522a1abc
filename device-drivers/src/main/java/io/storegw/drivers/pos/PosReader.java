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
        try {
            return format == PosFormat.POSLOG ? poslog.parse(new ByteArrayInputStream(body)) : profile(format).read(body, settings);
        } catch (RuntimeException e) {
            throw readerFailed(format, e);
        }
    }

    /** Reads at most the size limit from {@code in}, so an endless stream cannot fill the heap. */
    public PosDocument read(PosFormat format, InputStream in) throws PosFormatException, IOException {
        if (format == PosFormat.POSLOG) {
            try {
                return poslog.parse(in);
            } catch (RuntimeException e) {
                throw readerFailed(format, e);
            }
        }
        byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, settings.maxBytes() + 1));
        return read(format, body);
    }

    /**
     * A reader that throws anything but {@link PosFormatException} has a bug this document found. The document is
     * still refused as unreadable, so it is answered, counted and kept like any other, and the source goes on
     * (the spool folder's thread ended on it, a till heard no answer). {@code PosReaderFuzzTest} looks for these:
     * the cause is the reader's exception.
     */
    private static PosFormatException readerFailed(PosFormat format, RuntimeException e) {
        return new PosFormatException("the gateway's " + format.id() + " reader failed on this document (" + e
                + "); it is kept: please report it with the document", e);
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
