package io.storegw.rigs.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {

    @TempDir
    Path dir;

    @Test
    void theDemoShowsCentralsViewOfTheVirtualStoreAndStopsCleanly() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        int status = new CommandLine(new DemoCommand(out))
                .execute("--seconds", "14", "--rate", "400", "--state-dir", dir.resolve("demo").toString());
        String view = captured.toString(StandardCharsets.UTF_8);
        assertThat(status).as(view).isZero();
        assertThat(view).contains("gateway is online");
        // which event comes first depends on whether a bucket closed before the first sale: not on the sequence number
        assertThat(view).containsPattern("#\\d+ +pos\\.transaction\\.completed +till-\\d #1 +EUR \\d+\\.\\d\\d, \\d lines?");
        assertThat(view).containsPattern("store\\.footfall +\\S+–\\S+ +in \\d+, out \\d+, inside \\d+");
        assertThat(view).containsPattern("presence\\.counts +devices per receiver: ");
        assertThat(view).contains("gateway is offline: shutdown", "storegw demo: stopped.");
        // A member's loyalty number never shows; only the start of its keyed hash does.
        assertThat(view).doesNotContainPattern("(?<!\\d)9\\d{15}(?!\\d)");
    }
}
