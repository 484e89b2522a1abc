package io.storegw.rigs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Where the benchmarks leave their reports: one Markdown file per run, also printed. */
public final class Reports {

    /** Reports are named by the minute they were written, so runs on the same day are all kept. */
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmm");

    private Reports() {
    }

    /** Writes {@code results/<date>T<time>-<kind>.md}, prints the report and where it went. */
    public static Path write(Path results, String kind, List<String> report) throws IOException {
        Files.createDirectories(results);
        Path file = results.resolve(LocalDateTime.now().format(NAME) + "-" + kind + ".md");
        Files.write(file, report);
        report.forEach(System.out::println);
        System.out.println("\nwritten to " + file);
        return file;
    }
}
