package io.storegw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code storegw status}: the running gateway's state, from its admin socket. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the running gateway: uplink, backlog, sources, version, uptime.",
                "",
                "Asks the daemon over its admin socket (admin.socket in the config; the service's group",
                "may read it). Exit status 0 when healthy, 1 when it reports a problem or cannot be reached."})
final class StatusCommand implements Callable<Integer> {

    @Option(names = "--socket", paramLabel = "PATH", defaultValue = AdminSocket.DEFAULT, description = "The admin socket (default: ${DEFAULT-VALUE}).")
    Path socket;

    @Option(names = "--json", description = "Print the daemon's answer as JSON.")
    boolean json;

    @Option(names = "--watch", paramLabel = "SECONDS", description = "Refresh every SECONDS until Ctrl-C.")
    Integer watch;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        while (true) {
            int status = once();
            if (watch == null) {
                return status;
            }
            Thread.sleep(Math.max(1, watch) * 1000L);
            System.out.println();
        }
    }

    private int once() throws IOException {
        AdminSocket.Answer answer;
        try {
            answer = AdminSocket.get(socket, "/status");
        } catch (IOException e) {
            System.err.println("storegw status: cannot reach the gateway at " + socket + " (" + e.getMessage()
                    + "); is it running? Try: systemctl status storegw");
            return 1;
        }
        if (answer.status() != 200) {
            System.err.println("storegw status: the gateway answered " + answer.status() + ": " + answer.body().strip());
            return 1;
        }
        JsonNode s = JSON.readTree(answer.body());
        if (json) {
            System.out.print(answer.body());
        } else {
            print(s);
        }
        return s.path("problem").isNull() ? 0 : 1;
    }

    private static void print(JsonNode s) {
        JsonNode up = s.path("uplink");
        JsonNode backlog = s.path("backlog");
        System.out.printf(Locale.ROOT, "storegw %s  %s  up %s  %s%n", s.path("version").asText(), s.path("gateway").asText(),
                duration(s.path("uptimeSeconds").asLong()), s.path("problem").isNull() ? "healthy" : "PROBLEM");
        System.out.printf(Locale.ROOT, "uplink   %s  %s  %,d published%n", up.path("broker").asText(),
                up.path("connected").asBoolean() ? "connected" : "NOT connected: " + up.path("problem").asText(), up.path("published").asLong());
        System.out.printf(Locale.ROOT, "backlog  %,d events, %s, oldest %s%n", backlog.path("rows").asLong(), bytes(backlog.path("bytes").asLong()),
                backlog.path("rows").asLong() == 0 ? "-" : duration(backlog.path("oldestAgeSeconds").asLong()));
        System.out.printf(Locale.ROOT, "core     %,d observations taken%n", s.path("observations").asLong());
        for (JsonNode source : s.path("sources")) {
            System.out.printf(Locale.ROOT, "source   %s: %s%n", source.path("name").asText(),
                    source.path("problem").isNull() ? "ok" : source.path("problem").asText());
        }
        if (!s.path("problem").isNull()) {
            s.path("problem").asText().lines().forEach(line -> System.out.println("problem  " + line));
        }
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
