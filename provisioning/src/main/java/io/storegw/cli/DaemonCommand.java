package io.storegw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * A command that asks the running daemon over its admin socket. A daemon that cannot be reached or
 * refuses is one clear line on stderr and exit status 1 (2 when it refused the technician's input).
 */
abstract class DaemonCommand implements Callable<Integer> {

    @Option(names = "--socket", paramLabel = "PATH", defaultValue = AdminSocket.DEFAULT,
            description = "The gateway's admin socket (default: ${DEFAULT-VALUE}).")
    Path socket;

    /** Does the work; returns the exit status. */
    abstract int run() throws Exception;

    @Override
    public final Integer call() throws Exception {
        try {
            return run();
        } catch (AdminSocket.Failure e) {
            System.err.println("storegw: " + e.getMessage());
            return e.exitStatus;
        }
    }

    JsonNode ask(String method, String path, String body) throws AdminSocket.Failure {
        return AdminSocket.json(socket, method, path, body);
    }

    JsonNode get(String path) throws AdminSocket.Failure {
        return ask("GET", path, null);
    }
}
