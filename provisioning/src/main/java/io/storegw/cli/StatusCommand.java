package io.storegw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code storegw status}: the running gateway's state, from its admin socket. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the running gateway: uplink, backlog, sources, version, uptime.",
                "",
                "Asks the daemon over its admin socket (admin.socket in the config; the service's group may read"
                + " it). Exit status 0 when healthy, 1 when it reports a problem or cannot be reached."})
final class StatusCommand extends DaemonCommand {

    @Option(names = "--json", description = "Print the daemon's answer as JSON.")
    boolean json;

    @Option(names = "--watch", paramLabel = "SECONDS", description = "Refresh every SECONDS until Ctrl-C; a gateway that is not"
            + " running (or restarts) is said so and watched for.")
    Integer watch;

    @Override
    int run() throws Exception {
        while (true) {
            if (watch == null) {
                return once();
            }
            try {
                once();
            } catch (AdminSocket.Failure e) {
                if (!e.unreachable) {
                    throw e;
                }
                // as watch(1) would: the view says the gateway is away, and shows it again once it is back
                System.out.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + "  storegw: " + e.getMessage());
            }
            Thread.sleep(Math.max(1, watch) * 1000L);
            System.out.println();
        }
    }

    private int once() throws AdminSocket.Failure {
        JsonNode s = get("/status");
        if (json) {
            System.out.println(s);
        } else {
            print(s);
        }
        return s.path("problem").isNull() ? 0 : 1;
    }

    /** The uplink's problem may have more lines (another client on its id): all of them are under "problem" below. */
    private static String firstLine(String text) {
        return text.lines().findFirst().orElse("");
    }

    private static void print(JsonNode s) {
        JsonNode up = s.path("uplink");
        JsonNode backlog = s.path("backlog");
        System.out.printf(Locale.ROOT, "storegw %s  %s  up %s  %s%n", s.path("version").asText(), s.path("gateway").asText(),
                duration(s.path("uptimeSeconds").asLong()), s.path("problem").isNull() ? "healthy" : "PROBLEM");
        System.out.printf(Locale.ROOT, "uplink   %s  %s  %,d published%n", up.path("broker").asText(),
                up.path("connected").asBoolean() ? "connected" : "NOT connected: " + firstLine(up.path("problem").asText()), up.path("published").asLong());
        if (up.path("refused").asLong() > 0) {
            System.out.printf(Locale.ROOT, "         %,d refused by the broker for good (reported to central as dropped); the last: %s%n",
                    up.path("refused").asLong(), up.path("lastRefused").asText());
        }
        if (up.hasNonNull("stateRefused")) {
            System.out.printf(Locale.ROOT, "         %s%n", up.path("stateRefused").asText());
        }
        System.out.printf(Locale.ROOT, "backlog  %s, %s, oldest %s%s%n", Plural.of(backlog.path("rows").asLong(), "event"), bytes(backlog.path("bytes").asLong()),
                backlog.path("rows").asLong() == 0 ? "-" : duration(backlog.path("oldestAgeSeconds").asLong()), classes(backlog));
        JsonNode rates = s.path("rates");
        System.out.printf(Locale.ROOT, "rates    %.1f observations/s in, %.1f events/s committed, %.1f events/s published (last minute)%n",
                rates.path("observationsIn").asDouble(), rates.path("eventsCommitted").asDouble(), rates.path("eventsPublished").asDouble());
        JsonNode clock = s.path("clock");
        System.out.printf(Locale.ROOT, "clock    %s (%s)%n", clock.path("synchronised").isNull() ? "unknown"
                : clock.path("synchronised").asBoolean() ? "synchronised" : "NOT synchronised", clock.path("how").asText());
        System.out.printf(Locale.ROOT, "core     %,d observations taken%n", s.path("observations").asLong());
        for (JsonNode source : s.path("sources")) {
            System.out.printf(Locale.ROOT, "source   %s: %s%n", source.path("name").asText(),
                    source.path("problem").isNull() ? "ok" : source.path("problem").asText());
            long refused = source.path("refused").asLong();
            if (refused > 0) {
                System.out.printf(Locale.ROOT, "         %s refused since the start; the last: %s%n", Plural.of(refused, "input"),
                        source.path("lastRefused").asText());
            }
        }
        JsonNode commands = s.path("commands");
        if (commands.isObject()) {
            System.out.printf(Locale.ROOT, "central  members held: %,d; commands taken since the start: %,d%n", commands.path("members").asLong(),
                    commands.path("taken").asLong());
            if (commands.path("refused").asLong() > 0) {
                System.out.printf(Locale.ROOT, "         not taken: %,d; the last: %s%n", commands.path("refused").asLong(),
                        commands.path("lastRefused").asText());
            }
            if (commands.path("answersRefused").asLong() > 0) {
                System.out.printf(Locale.ROOT, "         answers central's broker refused: %,d; the last: %s%n", commands.path("answersRefused").asLong(),
                        commands.path("lastAnswerRefused").asText());
            }
        }
        if (!s.path("problem").isNull()) {
            s.path("problem").asText().lines().forEach(line -> System.out.println("problem  " + line));
        }
    }

    /** " (critical 3, normal 120, bulk 4,000)" when anything waits. */
    static String classes(JsonNode backlog) {
        if (backlog.path("rows").asLong() == 0) {
            return "";
        }
        StringBuilder out = new StringBuilder(" (");
        for (JsonNode c : backlog.path("classes")) {
            out.append(out.length() > 2 ? ", " : "").append(c.path("eventClass").asText().toLowerCase(Locale.ROOT))
                    .append(String.format(Locale.ROOT, " %,d", c.path("rows").asLong()));
        }
        return out.append(")").toString();
    }

    static String duration(long seconds) {
        if (seconds < 120) {
            return seconds + " s";
        }
        if (seconds < 7_200) {
            return seconds / 60 + " min";
        }
        return seconds / 3_600 + " h " + seconds % 3_600 / 60 + " min";
    }

    static String bytes(long n) {
        return n < 10_240 ? n + " B" : n < 10L << 20 ? n / 1024 + " KB" : n / (1 << 20) + " MB";
    }
}
