package io.storegw.rigs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import picocli.CommandLine.Option;

/** Where the benchmarks leave their reports ({@code --results}, a mixin of each): one Markdown file per run, also printed. */
public final class Reports {

    /** Reports are named by the minute they were written, so runs on the same day are all kept. */
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmm");

    @Option(names = "--results", paramLabel = "DIR", defaultValue = "test-rigs/results",
            description = "Folder for the dated report (default: ${DEFAULT-VALUE}).")
    Path folder;

    /** Writes {@code <folder>/<date>T<time>-<kind>.md}, prints the report and where it went. */
    public Path write(String kind, List<String> report) throws IOException {
        Files.createDirectories(folder);
        Path file = folder.resolve(LocalDateTime.now().format(NAME) + "-" + kind + ".md");
        Files.write(file, report);
        report.forEach(System.out::println);
        System.out.println("\nwritten to " + file);
        return file;
    }
}
