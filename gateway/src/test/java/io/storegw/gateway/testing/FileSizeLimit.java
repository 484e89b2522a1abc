package io.storegw.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A full disk for one child process: its limit on the size of any file it writes ({@code prlimit}, util-linux).
 * A write past it fails as on a full disk (the JVM ignores {@code SIGXFSZ}), with no privileges needed, unlike
 * a small file system.
 */
public final class FileSizeLimit {

    private FileSizeLimit() {
    }

    /** Sets the limit of {@code process} to {@code bytes}; -1 lifts it. */
    public static void set(Process process, long bytes) throws Exception {
        String limit = bytes < 0 ? "unlimited" : Long.toString(bytes);
        Process prlimit = new ProcessBuilder("prlimit", "--pid", Long.toString(process.pid()), "--fsize=" + limit + ":unlimited")
                .redirectErrorStream(true).start();
        String out = new String(prlimit.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(prlimit.waitFor(10, TimeUnit.SECONDS) && prlimit.exitValue() == 0).as("prlimit (util-linux): %s", out).isTrue();
    }
}
