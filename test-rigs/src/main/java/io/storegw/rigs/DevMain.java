package io.storegw.rigs;

import io.storegw.cli.Storegw;
import io.storegw.rigs.bench.BenchCommand;
import io.storegw.rigs.bench.DiskWritesBenchCommand;
import io.storegw.rigs.bench.PosBenchCommand;
import io.storegw.rigs.bench.StartupBenchCommand;
import io.storegw.rigs.ble.BleBenchCommand;
import io.storegw.rigs.demo.DemoCommand;
import io.storegw.rigs.journey.JourneyBenchCommand;
import io.storegw.rigs.presence.PresenceBenchCommand;
import picocli.CommandLine;

/**
 * The {@code storegw} command of a development checkout: the appliance's commands plus {@code demo}
 * and {@code bench}, which need the embedded broker and are not shipped to stores.
 */
public final class DevMain {

    private DevMain() {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The appliance's command line with the development commands added. */
    public static CommandLine commandLine() {
        return Storegw.commandLine()
                .addSubcommand(new DemoCommand())
                .addSubcommand(new BenchCommand())
                .addSubcommand(new StartupBenchCommand())
                .addSubcommand(new DiskWritesBenchCommand())
                .addSubcommand(new BleBenchCommand())
                .addSubcommand(new PosBenchCommand())
                .addSubcommand(new PresenceBenchCommand())
                .addSubcommand(new JourneyBenchCommand());
    }
}
