package io.storegw.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on stderr for long runs, redrawn at most ten times a second; nothing when stderr
 * is not a terminal (a script, a log), so it never pollutes captured output.
 */
final class Progress implements AutoCloseable {

    private static final int WIDTH = 30;

    private final String what;
    private final long total;
    private final PrintStream err = System.err;
    private final boolean shown = System.console() != null;
    private long lastDrawNanos;
    private boolean drawn;

    Progress(String what, long total) {
        this.what = what;
        this.total = Math.max(1, total);
    }

    void at(long done) {
        long now = System.nanoTime();
        if (!shown || now - lastDrawNanos < 100_000_000L) {
            return;
        }
        lastDrawNanos = now;
        int filled = (int) Math.min(WIDTH, done * WIDTH / total);
        err.printf(Locale.ROOT, "\r%s [%s%s] %,d / %,d", what, "#".repeat(filled), " ".repeat(WIDTH - filled), done, total);
        drawn = true;
    }

    @Override
    public void close() {
        if (drawn) {
            err.print("\r" + " ".repeat(WIDTH + what.length() + 40) + "\r");
        }
    }
}
