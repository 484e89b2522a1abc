package io.storegw.drivers.pos;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The formats tills send: POSLog XML and the JSON profiles of cloud POS systems and in-house tills. */
public enum PosFormat {
    POSLOG("poslog"),
    SQUARE("square"),
    SHOPIFY("shopify"),
    LIGHTSPEED("lightspeed"),
    GENERIC("generic");

    private final String id;

    PosFormat(String id) {
        this.id = id;
    }

    /** The name used in routes ({@code /pos/v1/json/square}), file names and {@code --format}. */
    public String id() {
        return id;
    }

    /** A JSON profile by its route name; empty for unknown names and for {@code poslog}, which has its own route. */
    public static Optional<PosFormat> jsonProfile(String name) {
        return Arrays.stream(values()).filter(f -> f != POSLOG && f.id.equals(name)).findFirst();
    }

    /**
     * The format a spool file's name announces: {@code *.square.json} (and the other profiles) by
     * profile, any other {@code *.json} the generic shape, everything else POSLog.
     */
    public static PosFormat ofFileName(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        if (!name.endsWith(".json")) {
            return POSLOG;
        }
        String stem = name.substring(0, name.length() - ".json".length());
        int dot = stem.lastIndexOf('.');
        return dot < 0 ? GENERIC : jsonProfile(stem.substring(dot + 1)).orElse(GENERIC);
    }
}
