package io.storegw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedWriter;
import java.io.Console;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code storegw queue}: what waits in the outbox for central, for support cases. */
@Command(name = "queue", mixinStandardHelpOptions = true,
        description = "Look into the outbox: what waits for central, in sequence order.",
        subcommands = {QueueCommand.Stats.class, QueueCommand.Peek.class, QueueCommand.Export.class, QueueCommand.Purge.class,
                QueueCommand.ResendRefused.class})
final class QueueCommand {

    /** {@code storegw queue stats}. */
    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Events waiting, by class: rows, bytes, the oldest's age.")
    static final class Stats extends DaemonCommand {
        @Option(names = "--json", description = "Print the figures as JSON.")
        boolean json;

        @Override
        int run() throws Exception {
            JsonNode q = get("/queue");
            if (json) {
                System.out.println(q);
                return 0;
            }
            System.out.printf(Locale.ROOT, "%-9s %12s %10s%n", "class", "events", "bytes");
            for (JsonNode c : q.path("classes")) {
                System.out.printf(Locale.ROOT, "%-9s %,12d %10s%n", c.path("eventClass").asText().toLowerCase(Locale.ROOT),
                        c.path("rows").asLong(), StatusCommand.bytes(c.path("bytes").asLong()));
            }
            System.out.printf(Locale.ROOT, "%-9s %,12d %10s%n", "all", q.path("rows").asLong(), StatusCommand.bytes(q.path("bytes").asLong()));
            System.out.printf(Locale.ROOT, "oldest    %s; last sequence committed %d%n", q.path("rows").asLong() == 0 ? "-"
                    : StatusCommand.duration(q.path("oldestAgeSeconds").asLong()) + " old", q.path("committedSeq").asLong());
            return 0;
        }
    }

    /** {@code storegw queue peek [N]}. */
    @Command(name = "peek", mixinStandardHelpOptions = true, description = "Show the next N events central will get (default 10).")
    static final class Peek extends DaemonCommand {
        @Parameters(paramLabel = "N", arity = "0..1", defaultValue = "10", description = "How many (1 to 1000; default: ${DEFAULT-VALUE}).")
        int n;

        @Option(names = "--json", description = "Print each event as its CloudEvent, one JSON object per line.")
        boolean json;

        @Override
        int run() throws Exception {
            if (n < 1 || n > 1000) {
                throw new AdminSocket.Failure("N: expected 1 to 1000, got " + n, 2);
            }
            JsonNode page = get("/queue/events?limit=" + n);
            if (page.path("events").isEmpty()) {
                System.out.println("the queue is empty: central has everything");
            }
            for (JsonNode e : page.path("events")) {
                System.out.println(json ? e.toString() : EventLines.line(e));
            }
            return 0;
        }
    }

    /** {@code storegw queue export FILE}. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Copy every queued event to FILE as JSON Lines (one CloudEvent per line), for support.",
                    "The queue is not changed. FILE is written under a temporary name and renamed when complete."})
    static final class Export extends DaemonCommand {
        @Parameters(paramLabel = "FILE", description = "Where to write; an existing file is replaced only with --force.")
        Path file;

        @Option(names = "--force", description = "Replace FILE if it exists.")
        boolean force;

        @Override
        int run() throws Exception {
            if (Files.exists(file) && !force) {
                throw new AdminSocket.Failure(file + " exists; use --force to replace it", 2);
            }
            long total = get("/queue").path("rows").asLong();
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            long written = 0;
            long after = 0;
            try (Progress progress = new Progress("exporting", total);
                 BufferedWriter out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
                while (true) {
                    JsonNode page = get("/queue/events?limit=1000&after=" + after);
                    for (JsonNode e : page.path("events")) {
                        out.write(e.toString());
                        out.write('\n');
                        written++;
                    }
                    progress.at(written);
                    if (page.path("events").isEmpty()) {
                        break;
                    }
                    after = page.path("next").asLong();
                }
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            System.out.printf(Locale.ROOT, "%s written to %s%n", Plural.of(written, "event"), file);
            return 0;
        }
    }

    /** {@code storegw queue resend-refused}. */
    @Command(name = "resend-refused", mixinStandardHelpOptions = true,
            description = {"Send the events central's broker refused for good again, once the broker is put right.",
                    "They are kept in {stateDir}/uplink/refused/ and were reported to central as dropped (reason"
                    + " refused); each goes as it was (same id and sequence), oldest first; one the broker takes moves to"
                    + " refused/sent/.",
                    "Exits 1 while any is left in the folder (refused again, or the uplink down; the reason is printed)."})
    static final class ResendRefused extends DaemonCommand {
        @Override
        int run() throws Exception {
            long sent = 0;
            JsonNode page;
            do {
                page = ask("POST", "/queue/resend-refused?max=10", null);
                sent += page.path("sent").asLong();
            } while (page.path("sent").asLong() > 0 && page.path("left").asLong() > 0);
            System.out.printf(Locale.ROOT, "%s sent again; %,d left in the folder%n", Plural.of(sent, "refused event"), page.path("left").asLong());
            if (!page.path("problem").isNull() && !page.path("problem").asText().isEmpty()) {
                System.out.println("problem: " + page.path("problem").asText());
            }
            return page.path("left").asLong() == 0 ? 0 : 1;
        }
    }

    /** {@code storegw queue purge --class bulk}. */
    @Command(name = "purge", mixinStandardHelpOptions = true,
            description = {"Remove every queued event of a class, for support cases (a backlog central will never want).",
                    "Central is told: a gateway.dropped event with reason 'purged' names every sequence removed.",
                    "Critical events (transactions, alarms) are never purged. Asks before removing, unless --yes."})
    static final class Purge extends DaemonCommand {
        @Option(names = "--class", required = true, paramLabel = "CLASS", description = "bulk or normal.")
        String eventClass;

        @Option(names = "--yes", description = "Do not ask.")
        boolean yes;

        @Override
        int run() throws Exception {
            String cls = eventClass.toLowerCase(Locale.ROOT);
            if (!cls.equals("bulk") && !cls.equals("normal")) {
                throw new AdminSocket.Failure("--class: expected bulk or normal (critical events are never purged), got '"
                        + eventClass + "'", 2);
            }
            long queued = 0;
            for (JsonNode c : get("/queue").path("classes")) {
                if (c.path("eventClass").asText().equalsIgnoreCase(cls)) {
                    queued = c.path("rows").asLong();
                }
            }
            if (queued == 0) {
                System.out.println("no " + cls + " events queued: nothing to purge");
                return 0;
            }
            if (!yes && !confirm(String.format(Locale.ROOT, "Remove %s for good? Central will be told. [y/N] ", Plural.of(queued, "queued " + cls + " event")))) {
                System.out.println("nothing removed");
                return 1;
            }
            long removed = 0;
            try (Progress progress = new Progress("purging", queued)) {
                while (true) {
                    JsonNode done = ask("POST", "/queue/purge?class=" + cls + "&max=5000", null);
                    removed += done.path("purged").asLong();
                    progress.at(removed);
                    if (done.path("purged").asLong() == 0 || done.path("left").asLong() == 0) {
                        break;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%s removed and reported to central (gateway.dropped, reason purged)%n", Plural.of(removed, cls + " event"));
            return 0;
        }

        private static boolean confirm(String question) throws AdminSocket.Failure {
            Console console = System.console();
            if (console == null) {
                throw new AdminSocket.Failure("not asking without a terminal; add --yes to purge from a script", 2);
            }
            String answer = console.readLine("%s", question);
            return answer != null && (answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"));
        }
    }
}
