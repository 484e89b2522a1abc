package io.storegw.cli;

import io.storegw.drivers.Errors;
import io.storegw.gateway.Version;
import java.io.IOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code storegw} command line: the daemon's entry point and the technician's tools. */
@Command(name = "storegw", mixinStandardHelpOptions = true, versionProvider = Storegw.VersionProvider.class,
        description = "Store-edge IoT gateway: BLE, POS and smart-device events to central over MQTT, durably.",
        subcommands = {InitCommand.class, RunCommand.class, StatusCommand.class, DoctorCommand.class, ConfigCommand.class, QueueCommand.class,
                EventsCommand.class, ZonesCommand.class, ReceiversCommand.class, BeaconsCommand.class, TillsCommand.class, BleCommand.class,
                PosCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit status: 0 ok, 1 a problem was found, 2 usage error."})
public final class Storegw {

    /** Builds the command line; other modules (the demo in test-rigs) add subcommands to it. */
    public static CommandLine commandLine() {
        return new CommandLine(new Storegw())
                .setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? 2 : 1)
                .setExecutionExceptionHandler(Storegw::failed);
    }

    /**
     * A file or socket that failed (a path not writable, a file in the way) is for the technician to put right: one
     * line. Anything else is a bug, and its stack trace is what to report.
     */
    private static int failed(Exception e, CommandLine command, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof IOException) {
            command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + Errors.describe(e));
            command.getErr().flush();
            return 1;
        }
        throw e;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Prints the build's version. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"storegw " + Version.current(), "Java " + Runtime.version()};
        }
    }
}
