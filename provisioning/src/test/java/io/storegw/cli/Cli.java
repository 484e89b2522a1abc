package io.storegw.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs the {@code storegw} command line in the test's JVM as a technician would, capturing what it prints. */
final class Cli {

    private Cli() {
    }

    record Result(int status, String out, String err) {
    }

    /** Runs the command line as a technician would, capturing both streams (the commands print to System.out/err). */
    static Result run(String... args) {
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

    /** {@code storegw run --config config} in a child JVM with the appliance's options, as the service starts it; output appended to {@code log}. */
    static Process storegwRun(java.nio.file.Path config, java.nio.file.Path log) throws java.io.IOException {
        return new ProcessBuilder(io.storegw.gateway.testing.GatewayProcess.applianceJava(java.util.List.of(), Storegw.class, "run", "--config",
                config.toString())).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }
}
