package io.storegw.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.storegw.gateway.config.ConfigException;
import io.storegw.gateway.config.ConfigLoader;
import java.io.Console;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code storegw init}: writes a store's config from flags (or by asking, on a terminal), checks it
 * exactly as the daemon would, and only then puts it in place, readable by the service's group only.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Write the gateway's config: its names, its broker and its credentials.",
                "",
                "Flags that are missing are asked for on a terminal; without one they are a usage error. The config is"
                + " checked as the daemon checks it (credential files must exist and be readable) before anything is"
                + " written. An existing config is kept unless --force is given. The file is written with mode 0640 and"
                + " renamed into place, so it is never half-written."})
final class InitCommand implements Callable<Integer> {

    @Option(names = "--tenant", paramLabel = "NAME", description = "The retailer, as central names it (letters, digits, - and _).")
    String tenant;

    @Option(names = "--store", paramLabel = "NAME", description = "The store id.")
    String store;

    @Option(names = "--gateway-id", paramLabel = "NAME", description = "This gateway's id within the store.")
    String gateway;

    @Option(names = "--broker", paramLabel = "URI", description = "Central's MQTT broker: tcp://HOST:PORT or ssl://HOST:PORT.")
    String broker;

    @Option(names = "--ca", paramLabel = "FILE", description = "PEM CA certificate(s) the broker's certificate must chain to.")
    Path ca;

    @Option(names = "--cert", paramLabel = "FILE", description = "PEM client certificate, for mutual TLS (with --key).")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "PEM (PKCS#8) client key, for mutual TLS (with --cert).")
    Path key;

    @Option(names = "--username", paramLabel = "NAME", description = "MQTT username.")
    String username;

    @Option(names = "--password-file", paramLabel = "FILE", description = "File holding the MQTT password as its only line.")
    Path passwordFile;

    @Option(names = "--central-key", paramLabel = "FILE", description = "Central's Ed25519 public key (PEM): take its signed commands (members, consent, pickups, zones).")
    Path centralKey;

    @Option(names = "--card-key", paramLabel = "FILE", description = "The tenant's loyalty-card key, shared with central, so tills' cards match members (with --central-key).")
    Path cardKey;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "/var/lib/storegw", description = "Where the outbox lives (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--output", paramLabel = "FILE", defaultValue = "/etc/storegw/storegw.yaml", description = "The config to write (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--admin-socket", paramLabel = "PATH", defaultValue = AdminSocket.DEFAULT,
            description = "The admin socket storegw status asks (default: ${DEFAULT-VALUE}).")
    Path adminSocket;

    @Option(names = "--force", description = "Replace an existing config.")
    boolean force;

    /** The config's keys that flags set, by the flag. */
    private static final Map<String, String> FLAGS = Map.ofEntries(Map.entry("tenant", "--tenant"), Map.entry("store", "--store"),
            Map.entry("gateway", "--gateway-id"), Map.entry("stateDir", "--state-dir"), Map.entry("uplink.broker", "--broker"),
            Map.entry("uplink.username", "--username"), Map.entry("uplink.passwordFile", "--password-file"),
            Map.entry("uplink.tls", "--ca, --cert, --key"), Map.entry("uplink.tls.ca", "--ca"), Map.entry("uplink.tls.cert", "--cert"),
            Map.entry("uplink.tls.key", "--key"), Map.entry("commands.publicKey", "--central-key"),
            Map.entry("commands.cardKeyFile", "--card-key"), Map.entry("admin.socket", "--admin-socket"));

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    @Override
    public Integer call() throws IOException {
        if (!ask()) {
            return 2;
        }
        if (Files.exists(output) && !force) {
            System.err.println("storegw init: " + output + " exists; keeping it (use --force to replace it, or `storegw config check` to check it)");
            return 1;
        }
        String yaml = "# Written by storegw init. Every key: README \"Configuration\" and examples/storegw.yaml.\n"
                + YAML.writeValueAsString(config());
        try {
            ConfigLoader.parse(output.toString(), yaml, output.toAbsolutePath().getParent());
        } catch (ConfigException e) {
            // the technician gave flags, not a file: each problem by the flag that set it, not by a line of a file never written
            System.err.println("storegw init: not written, the config would not start the gateway:");
            e.problems().forEach(p -> System.err.println("  " + FLAGS.getOrDefault(p.key(), p.key()) + ": " + byFlags(p.message())));
            return 2;
        }
        try {
            write(yaml);
        } catch (AccessDeniedException e) {
            System.err.println("storegw init: cannot write " + output + ": permission denied for " + e.getFile()
                    + " (the default, /etc/storegw, is root's: run it with sudo)");
            return 1;
        } catch (IOException e) {
            throw new IOException("cannot write " + output, e);
        }
        System.out.println("wrote " + output + " (" + tenant + "/" + store + "/" + gateway + " -> " + broker + ")");
        return 0;
    }

    /** Fills missing required values from the terminal; false (a usage error) when they are missing and there is none. */
    private boolean ask() {
        Console console = System.console();
        List<String> missing = new ArrayList<>();
        tenant = orAsk(console, tenant, "Tenant (the retailer)", "--tenant", missing);
        store = orAsk(console, store, "Store id", "--store", missing);
        gateway = orAsk(console, gateway, "Gateway id", "--gateway-id", missing);
        broker = orAsk(console, broker, "Broker (tcp://HOST:PORT or ssl://HOST:PORT)", "--broker", missing);
        if (!missing.isEmpty()) {
            System.err.println("storegw init: missing " + String.join(", ", missing) + " (no terminal to ask on); see storegw init --help");
            return false;
        }
        return true;
    }

    private static String orAsk(Console console, String value, String prompt, String flag, List<String> missing) {
        if (value != null) {
            return value;
        }
        String answer = console == null ? null : console.readLine("%s: ", prompt);
        if (answer == null || answer.isBlank()) {
            missing.add(flag);
            return null;
        }
        return answer.strip();
    }

    private Map<String, Object> config() {
        Map<String, Object> uplink = new LinkedHashMap<>();
        uplink.put("broker", broker);
        if (username != null) {
            uplink.put("username", username);
        }
        if (passwordFile != null) {
            uplink.put("passwordFile", passwordFile.toAbsolutePath().toString());
        }
        if (ca != null || cert != null || key != null) {
            Map<String, Object> tls = new LinkedHashMap<>();
            if (ca != null) {
                tls.put("ca", ca.toAbsolutePath().toString());
            }
            if (cert != null) {
                tls.put("cert", cert.toAbsolutePath().toString());
            }
            if (key != null) {
                tls.put("key", key.toAbsolutePath().toString());
            }
            uplink.put("tls", tls);
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("tenant", tenant);
        c.put("store", store);
        c.put("gateway", gateway);
        c.put("stateDir", stateDir.toAbsolutePath().toString());
        c.put("uplink", uplink);
        if (centralKey != null || cardKey != null) {
            Map<String, Object> commands = new LinkedHashMap<>();
            if (centralKey != null) {
                commands.put("publicKey", centralKey.toAbsolutePath().toString());
            }
            if (cardKey != null) {
                commands.put("cardKeyFile", cardKey.toAbsolutePath().toString());
            }
            c.put("commands", commands);
        }
        c.put("admin", Map.of("socket", adminSocket.toAbsolutePath().toString()));
        return c;
    }

    /** A problem's words with the config's keys named by their flags ("required when --password-file is set"). */
    private static String byFlags(String message) {
        String out = message;
        for (String key : FLAGS.keySet().stream().filter(k -> k.contains(".")).sorted((a, b) -> b.length() - a.length()).toList()) {
            out = out.replace(key, FLAGS.get(key));
        }
        return out;
    }

    /** Writes beside the target with mode 0640, then renames over it: never a half-written config. */
    private void write(String yaml) throws IOException {
        Path folder = output.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        Path temp = folder.resolve("." + output.getFileName() + ".new");
        Files.deleteIfExists(temp);
        try {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
        } catch (FileAlreadyExistsException e) {
            throw new IOException(temp + " appeared while writing; is another storegw init running?", e);
        }
        Files.writeString(temp, yaml);
        try (var channel = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
