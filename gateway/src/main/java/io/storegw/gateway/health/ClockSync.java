package io.storegw.gateway.health;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whether the system clock is synchronised, as systemd tells it: every event's time and every
 * TLS certificate check depend on it, and a Pi has no battery-backed clock.
 */
public final class ClockSync {

    /** What systemd-timesyncd touches once it has synchronised the clock. */
    public static final Path TIMESYNCD_MARKER = Path.of("/run/systemd/timesync/synchronized");
    /** What the kernel's NTP state is, for any NTP client (chrony, ntpd, timesyncd). */
    public static final List<String> TIMEDATECTL = List.of("timedatectl", "show", "-p", "NTPSynchronized", "--value");

    /**
     * @param synchronised null when it cannot be told
     * @param how          where the answer comes from, or why there is none
     */
    public record State(Boolean synchronised, String how) {
    }

    private ClockSync() {
    }

    /** Asks the systemd way: the timesyncd marker, else timedatectl. */
    public static State now() {
        return check(TIMESYNCD_MARKER, TIMEDATECTL);
    }

    static State check(Path marker, List<String> timedatectl) {
        if (Files.exists(marker)) {
            return new State(true, "systemd-timesyncd synchronised the clock");
        }
        try {
            Process p = new ProcessBuilder(timedatectl).redirectErrorStream(true).start();
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new State(null, "timedatectl did not answer within 3 s");
            }
            String answer = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() == 0 && answer.equals("yes")) {
                return new State(true, "timedatectl: NTP synchronised");
            }
            if (p.exitValue() == 0 && answer.equals("no")) {
                return new State(false, "timedatectl: not synchronised; is an NTP client running? (timedatectl set-ntp true)");
            }
            return new State(null, "timedatectl: " + (answer.isEmpty() ? "exit status " + p.exitValue() : answer.lines().findFirst().orElse("")));
        } catch (IOException e) {
            return new State(null, "cannot tell: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new State(null, "cannot tell: interrupted");
        }
    }
}
