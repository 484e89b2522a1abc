package io.storegw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code storegw events}: what the gateway publishes, seen on the gateway itself. */
@Command(name = "events", mixinStandardHelpOptions = true, description = "Follow the events the gateway publishes.",
        subcommands = EventsCommand.Tail.class)
final class EventsCommand {

    /** {@code storegw events tail}. */
    @Command(name = "tail", mixinStandardHelpOptions = true,
            description = {"Show the last events and follow new ones until Ctrl-C, one line each.",
                    "Events show as soon as they are committed, also while the uplink is down: this is what central gets"
                    + " (or will get). The gateway keeps the last 512 in memory; a slower reader is told how many it"
                    + " missed. Following goes on through a restart of the gateway (systemctl restart storegw)."})
    static final class Tail extends DaemonCommand {
        private static final Pattern FAMILY = Pattern.compile("[a-z]{1,32}");

        @Option(names = "--family", paramLabel = "F", description = "Only this family: pos, presence, visit, store, device, beacon, gateway, ...")
        String family;

        @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "10", description = "How many past events to show first (default ${DEFAULT-VALUE}).")
        int lines;

        @Option(names = "--no-follow", description = "Show the past events and stop.")
        boolean noFollow;

        @Option(names = "--json", description = "Print each event as its CloudEvent, one JSON object per line.")
        boolean json;

        @Option(names = "--poll", paramLabel = "MILLIS", defaultValue = "250", hidden = true)
        long pollMillis;

        @Override
        int run() throws Exception {
            if (family != null && !FAMILY.matcher(family).matches()) {
                throw new AdminSocket.Failure("--family: expected a family such as pos or presence, got '" + family + "'", 2);
            }
            if (lines < 0 || lines > 512) {
                throw new AdminSocket.Failure("--lines: expected 0 to 512, got " + lines, 2);
            }
            String filter = family == null ? "" : "&family=" + family;
            JsonNode page = get("/events?limit=" + Math.max(1, lines) + filter);
            int skip = Math.max(0, page.path("events").size() - lines);
            print(page, skip);
            long next = page.path("next").asLong();
            boolean away = false;
            while (!noFollow) {
                System.out.flush();
                Thread.sleep(away ? Math.max(pollMillis, 1_000) : pollMillis);
                try {
                    page = get("/events?limit=500&after=" + next + filter);
                } catch (AdminSocket.Failure e) {
                    if (!e.unreachable) {
                        throw e;
                    }
                    // a restart after a config change is the usual reason: the technician wants to see what comes next
                    if (!away) {
                        System.err.println("storegw events tail: the gateway went away; waiting for it to come back (Ctrl-C stops)");
                        away = true;
                    }
                    continue;
                }
                if (away) {
                    System.err.println("storegw events tail: the gateway is back");
                    away = false;
                }
                next = page.path("next").asLong();
                if (page.path("skipped").asLong() > 0) {
                    System.out.println("... " + page.path("skipped").asLong() + " events went by faster than shown");
                }
                print(page, 0);
            }
            return 0;
        }

        private void print(JsonNode page, int skip) {
            for (JsonNode e : page.path("events")) {
                if (skip-- > 0) {
                    continue;
                }
                System.out.println(json ? e.toString() : EventLines.line(e));
            }
        }
    }
}
