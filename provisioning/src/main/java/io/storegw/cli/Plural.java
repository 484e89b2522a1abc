package io.storegw.cli;

import java.util.Locale;

/** A count with its noun for the technician's lines: "1 event", "2,000 events". */
final class Plural {

    private Plural() {
    }

    static String of(long n, String noun) {
        return String.format(Locale.ROOT, "%,d %s%s", n, noun, n == 1 ? "" : "s");
    }
}
