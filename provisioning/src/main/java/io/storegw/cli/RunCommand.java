package io.storegw.cli;

import io.storegw.drivers.Errors;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.ConfigException;
import io.storegw.gateway.config.ConfigLoader;
import io.storegw.gateway.config.GatewayConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code storegw run}: the daemon, until SIGTERM or Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the gateway with a config file until stopped (SIGTERM or Ctrl-C stops it cleanly).")
final class RunCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "/etc/storegw/storegw.yaml",
            description = "Config file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Override
    public Integer call() throws Exception {
        GatewayConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.err.println("storegw: not started; fix the config and try again (storegw config check " + config + ").");
            return 1;
        }
        Gateway.routeLibraryLogs();
        // before the start: a SIGTERM during a slow start (a Pi booting, a damaged outbox salvaged) stops the gateway
        // cleanly once it has started, where it ended the JVM with nothing closed and no "offline" said
        StopHook stop = new StopHook();
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "shutdown"));
        Gateway gateway = null;
        try {
            gateway = Gateway.start(loaded, Clock.systemUTC());
        } catch (IOException | SQLException e) {
            // what the technician can put right (a file in use or unreadable, a port taken): one line, not a stack trace
            System.err.println("storegw: not started: " + Errors.describe(e));
            return 1;
        } finally {
            stop.startEnded(gateway == null ? null : gateway::close);
        }
        stop.awaitStopped();
        return 0;
    }

    /** The shutdown hook: waits for a start in progress to end, then closes what it started. */
    static final class StopHook implements Runnable {
        private final CountDownLatch startEnded = new CountDownLatch(1);
        private final CountDownLatch stopped = new CountDownLatch(1);
        private volatile Runnable close;

        /** The start ended: {@code close} stops what it started, or is null when it failed. */
        void startEnded(Runnable close) {
            this.close = close;
            startEnded.countDown();
        }

        @Override
        public void run() {
            try {
                startEnded.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            Runnable c = close;
            if (c != null) {
                c.run();
            }
            stopped.countDown();
        }

        /** Until the hook has closed the gateway. */
        void awaitStopped() throws InterruptedException {
            stopped.await();
        }
    }
}
