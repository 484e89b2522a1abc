package io.storegw.cli;

import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.layout.Layout;
import io.storegw.gateway.layout.LayoutPut;
import io.storegw.gateway.layout.LayoutView;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/**
 * A command that reads or changes the store layout of the running gateway: the change is applied at
 * once and kept in the gateway's state (it survives restarts; editing the config file's layout
 * sections later replaces it). Read, change, write back naming the version read: a concurrent change
 * is refused, never overwritten.
 */
abstract class LayoutCommand extends DaemonCommand {

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    LayoutView view() throws AdminSocket.Failure {
        try {
            return CloudEventEncoder.JSON.treeToValue(get("/layout"), LayoutView.class);
        } catch (IOException e) {
            throw new AdminSocket.Failure("the gateway's layout is not as expected: " + e.getMessage(), 1);
        }
    }

    /** Applies {@code edit} to the layout now and writes it back; returns the layout as the gateway then has it. */
    LayoutView change(LayoutView now, UnaryOperator<Layout> edit, String reason) throws AdminSocket.Failure {
        Layout next = edit.apply(now.layout());
        try {
            String body = CloudEventEncoder.JSON.writeValueAsString(new LayoutPut(next, reason));
            return CloudEventEncoder.JSON.treeToValue(ask("PUT", "/layout?version=" + now.version(), body), LayoutView.class);
        } catch (IOException e) {
            throw new AdminSocket.Failure("cannot send the layout: " + e.getMessage(), 1);
        }
    }

    /** "12 s ago", "3 min ago", or "never" (since the gateway started). */
    static String ago(Instant at) {
        return at == null ? "not heard since start" : "heard " + StatusCommand.duration(Math.max(0, Duration.between(at, Instant.now()).toSeconds())) + " ago";
    }

    /** Prints a list: as JSON with {@code --json}, else one line each, or what to do when it is empty. */
    <T> int list(java.util.List<T> items, String whenEmpty, java.util.function.Function<T, String> line) {
        if (json) {
            System.out.println(JsonLine.of(items));
        } else if (items.isEmpty()) {
            System.out.println(whenEmpty);
        } else {
            items.forEach(item -> System.out.println(line.apply(item)));
        }
        return 0;
    }

    /** After a list of zones or receivers: why they will stay quiet, when no source hears BLE. */
    void hearsNothing(LayoutView v) {
        if (!json && !v.hearsBle()) {
            System.out.println("no source hears BLE: zones and receivers hear nothing until sources.ble (this gateway's radio) or"
                    + " sources.localMqtt (ESPresense or OpenMQTTGateway nodes) is on (docs/presence.md)");
        }
    }

    /** A usage error: exit status 2. */
    static AdminSocket.Failure usage(String message) {
        return new AdminSocket.Failure(message, 2);
    }
}
