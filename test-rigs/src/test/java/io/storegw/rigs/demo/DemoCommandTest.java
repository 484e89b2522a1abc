package io.storegw.rigs.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.testing.Await;
import io.storegw.rigs.DevMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {

    @TempDir
    Path dir;

    @Test
    void theDemoShowsCentralsViewOfTheVirtualStoreAndStopsCleanly() throws InterruptedException {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        Path socket = dir.resolve("demo").resolve("admin.sock");
        CompletableFuture<Integer> demo = CompletableFuture.supplyAsync(() -> new CommandLine(new DemoCommand(out))
                .execute("--seconds", "14", "--rate", "400", "--state-dir", dir.resolve("demo").toString()));
        // The technician's commands work on the demo too, over the socket it names.
        Await.until(Duration.ofSeconds(10), "the demo's admin socket", () -> Files.exists(socket));
        String[] status = new String[1];
        Await.until(Duration.ofSeconds(10), "storegw status saying healthy", () -> (status[0] = technician("status", "--socket", socket.toString())) != null);
        assertThat(status[0]).startsWith("storegw ").contains("demo/store-001/gw-1", "healthy", "source   virtual: ok");
        String view = captured.toString(StandardCharsets.UTF_8);
        assertThat(demo.join()).as(view).isZero();
        view = captured.toString(StandardCharsets.UTF_8);
        assertThat(view).contains("./storegw status --socket " + socket);
        assertThat(view).contains("gateway is online");
        // which event comes first depends on whether a bucket closed before the first sale: not on the sequence number
        assertThat(view).containsPattern("#\\d+ +pos\\.transaction\\.completed +till-\\d #1 +EUR \\d+\\.\\d\\d, \\d lines?");
        assertThat(view).containsPattern("store\\.footfall +\\S+–\\S+ +in \\d+, out \\d+, inside \\d+");
        assertThat(view).containsPattern("presence\\.counts +devices per receiver: ");
        assertThat(view).contains("gateway is offline: shutdown", "storegw demo: stopped.");
        // A member's loyalty number never shows; only the start of its keyed hash does.
        assertThat(view).doesNotContainPattern("(?<!\\d)9\\d{15}(?!\\d)");
    }

    /** What a technician's command prints when it exits 0, else null (the commands print to System.out; the demo to its own stream). */
    private static String technician(String... args) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            return DevMain.commandLine().execute(args) == 0 ? captured.toString(StandardCharsets.UTF_8) : null;
        } finally {
            System.setOut(stdout);
        }
    }
}
