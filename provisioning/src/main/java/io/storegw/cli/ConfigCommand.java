package io.storegw.cli;

import io.storegw.gateway.config.ConfigException;
import io.storegw.gateway.config.ConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code storegw config}: work on config files without a running gateway. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Check config files.",
        subcommands = ConfigCommand.Check.class)
final class ConfigCommand {

    /** {@code storegw config check FILE}. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate a config file; prints every problem with its key and line.")
    static final class Check implements Callable<Integer> {

        @Parameters(paramLabel = "FILE", arity = "0..1", defaultValue = "/etc/storegw/storegw.yaml", description = "Config file (default: ${DEFAULT-VALUE}).")
        Path file;

        @Override
        public Integer call() {
            try {
                var c = ConfigLoader.load(file);
                System.out.println(file + ": ok (" + c.identity().name() + " -> " + c.uplink().broker() + ")");
                return 0;
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return 1;
            }
        }
    }
}
