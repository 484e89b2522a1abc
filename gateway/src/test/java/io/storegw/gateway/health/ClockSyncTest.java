package io.storegw.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The clock's sync state from the timesyncd marker, else timedatectl's answer (here: a stand-in program). */
class ClockSyncTest {

    @TempDir
    Path dir;

    @Test
    void theMarkerThenTimedatectlsAnswerThenUnknown() throws Exception {
        Path marker = dir.resolve("synchronized");
        assertThat(ClockSync.check(marker, List.of("echo", "yes")).synchronised()).isTrue();
        ClockSync.State no = ClockSync.check(marker, List.of("echo", "no"));
        assertThat(no.synchronised()).isFalse();
        assertThat(no.how()).contains("timedatectl set-ntp true");
        ClockSync.State down = ClockSync.check(marker, List.of("sh", "-c", "echo 'System has not been booted with systemd' >&2; exit 1"));
        assertThat(down.synchronised()).isNull();
        assertThat(down.how()).contains("System has not been booted with systemd");
        assertThat(ClockSync.check(marker, List.of(dir.resolve("no-such-program").toString())).synchronised()).isNull();
        Files.createFile(marker);
        assertThat(ClockSync.check(marker, List.of("echo", "no")).synchronised()).as("timesyncd's marker decides").isTrue();
    }
}
