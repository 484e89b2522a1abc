package io.storegw.cli;

import io.storegw.drivers.pos.TillAuth;
import io.storegw.gateway.layout.Layout;
import io.storegw.gateway.layout.LayoutView;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code storegw tills}: the tills allowed to post transactions to the till port. */
@Command(name = "tills", mixinStandardHelpOptions = true,
        description = {"List the tills allowed to post to the gateway's till port, add one (it gets a new token), or remove one.",
                "Tills of the config's tokens file are listed too; change those by editing the file.",
                "Changes apply at once and are kept in the gateway's state; only the token's SHA-256 is kept."},
        subcommands = {TillsCommand.ListTills.class, TillsCommand.Add.class, TillsCommand.Remove.class})
final class TillsCommand {

    /** One till as listed: {@code file} (the tokens file) or {@code added} (from this command). */
    record Till(String name, String from) {
    }

    /**
     * Where the tills post, or why they cannot: the till port is off by default and on loopback unless a host is
     * set, and a till added then cannot reach it, which nothing else would tell the technician.
     */
    static String tillPort(LayoutView v) {
        if (v.tillPort() == null) {
            return "till port: off, so no till can post: set sources.pos.http.enabled: true (and host: this machine's"
                    + " store LAN address) in the config and restart the gateway";
        }
        URI port = URI.create(v.tillPort());
        String paths = " (POSLog to /pos/v1/poslog, JSON to /pos/v1/json/square|shopify|lightspeed|generic)";
        InetAddress host;
        try {
            host = InetAddress.getByName(port.getHost());
        } catch (UnknownHostException e) {
            return "till port: " + port + paths;
        }
        if (host.isLoopbackAddress()) {
            return "till port: " + port + ", on loopback only, so tills on the store's network cannot reach it: set"
                    + " sources.pos.http.host to this machine's store LAN address and restart the gateway";
        }
        if (host.isAnyLocalAddress()) {
            return "till port: " + port.getScheme() + "://(any of this machine's addresses):" + port.getPort() + paths;
        }
        return "till port: " + port + paths;
    }

    static List<Till> tills(LayoutView v) {
        List<Till> all = new ArrayList<>();
        v.fileTills().forEach(t -> all.add(new Till(t, "file")));
        v.layout().tills().keySet().stream().sorted().forEach(t -> all.add(new Till(t, "added")));
        return all;
    }

    /** {@code storegw tills list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "The tills that may post, and where each is set.")
    static final class ListTills extends LayoutCommand {
        @Override
        int run() throws Exception {
            LayoutView now = view();
            list(tills(now), "no tills: add one with storegw tills add NAME",
                    t -> String.format(Locale.ROOT, "%-24s %s", t.name(), t.from().equals("file") ? "tokens file" : "added with storegw tills add"));
            if (!json) {
                System.out.println(tillPort(now));
            }
            return 0;
        }
    }

    /** {@code storegw tills add NAME}. */
    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Allow a till: prints its new bearer token once.",
                    "Set it in the till's POS export as 'Authorization: Bearer TOKEN'; the gateway keeps only its hash,"
                    + " so a lost token means remove and add again."})
    static final class Add extends LayoutCommand {
        @Parameters(paramLabel = "NAME", description = "The till's name (letters, digits, - and _), as the gateway's logs and dead letters name it.")
        String name;

        @Override
        int run() throws Exception {
            LayoutView now = view();
            if (now.fileTills().contains(name) || now.layout().tills().containsKey(name)) {
                throw usage("till " + name + " exists; remove it first for a new token");
            }
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
            LayoutView after = change(now, l -> {
                Map<String, String> tills = new LinkedHashMap<>(l.tills());
                tills.put(name, TillAuth.HashedTokens.sha256Hex(token));
                return new Layout(l.zones(), l.receiverOffsets(), l.beacons(), tills);
            }, "till " + name + " added");
            if (json) {
                Map<String, Object> added = new LinkedHashMap<>();
                added.put("till", name);
                added.put("token", token);
                added.put("version", after.version());
                added.put("tillPort", after.tillPort());
                System.out.println(JsonLine.of(added));
            } else {
                System.out.println(tillPort(after));
                System.out.println("till " + name + " added (layout version " + after.version() + "); its token, shown this once:");
                System.out.println(token); // the last line, for scripts
            }
            return 0;
        }
    }

    /** {@code storegw tills remove NAME}. */
    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Stop taking posts from a till added with storegw tills add.")
    static final class Remove extends LayoutCommand {
        @Parameters(paramLabel = "NAME", description = "The till.")
        String name;

        @Override
        int run() throws Exception {
            LayoutView now = view();
            if (now.fileTills().contains(name)) {
                throw usage("till " + name + " is in the tokens file (sources.pos.http.tokensFile): remove its line there"
                        + " and restart the gateway (systemctl restart storegw)");
            }
            if (!now.layout().tills().containsKey(name)) {
                throw usage("no till " + name + "; storegw tills list shows them");
            }
            LayoutView after = change(now, l -> {
                Map<String, String> tills = new LinkedHashMap<>(l.tills());
                tills.remove(name);
                return new Layout(l.zones(), l.receiverOffsets(), l.beacons(), tills);
            }, "till " + name + " removed");
            System.out.println(json ? JsonLine.of(tills(after)) : "till " + name + " removed (layout version " + after.version() + ")");
            return 0;
        }
    }
}
