package io.storegw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class StoregwCliTest {

    @TempDir
    Path dir;

    private record Result(int status, String out, String err) {
    }

    /** Runs the command line as a technician would, capturing both streams (the commands print to System.out/err). */
    private static Result run(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        StringWriter usage = new StringWriter();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine cli = Storegw.commandLine();
            cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
            cli.setErr(new PrintWriter(usage, true));
            int status = cli.execute(args);
            return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8) + usage);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    @Test
    void helpNamesEveryCommandAndTheExitStatuses() {
        Result r = run("--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("run", "config", "Exit status: 0 ok, 1 a problem was found, 2 usage error.");
        assertThat(run("run", "--help").out()).contains("--config=FILE", "/etc/storegw/storegw.yaml");
        assertThat(run("--version").out()).startsWith("storegw ");
    }

    @Test
    void configCheckSaysOkOrListsEveryProblemWithItsLine() throws Exception {
        Path good = Files.writeString(dir.resolve("good.yaml"), "tenant: a\nstore: b\ngateway: c\nuplink:\n  broker: tcp://h:1883\n");
        Result ok = run("config", "check", good.toString());
        assertThat(ok.status()).isZero();
        assertThat(ok.out()).isEqualTo(good + ": ok (a/b/c -> tcp://h:1883)\n");

        Path bad = Files.writeString(dir.resolve("bad.yaml"), "tenant: a\nstore: b c\nuplink:\n  broker: mqtt://h\n");
        Result problems = run("config", "check", bad.toString());
        assertThat(problems.status()).isEqualTo(1);
        assertThat(problems.err()).contains(
                bad + ": line 2: store: expected 1-64 letters",
                bad + ": gateway: required",
                bad + ": line 4: uplink.broker: expected tcp://host:port or ssl://host:port");
    }

    @Test
    void runRefusesABadConfigBeforeTouchingAnything() throws Exception {
        Path state = dir.resolve("state");
        Path bad = Files.writeString(dir.resolve("bad.yaml"),
                "tenant: a\nstore: b\ngateway: c\nstateDir: " + state + "\nuplink:\n  broker: tcp://h:1883\n  colour: blue\n");
        Result r = run("run", "--config", bad.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("line 7: uplink.colour: unknown key 'colour'", "storegw: not started");
        assertThat(state).doesNotExist();
    }

    @Test
    void aMistypedCommandIsAUsageError() {
        Result r = run("rnu");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("Unmatched argument", "rnu");
    }
}
