package io.storegw.cli;

import io.storegw.drivers.observation.PosTransaction;
import io.storegw.drivers.pos.PosFormatException;
import io.storegw.drivers.pos.PosDocument;
import io.storegw.drivers.pos.PosFormat;
import io.storegw.drivers.pos.PosReader;
import io.storegw.drivers.pos.PosSettings;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.ConfigException;
import io.storegw.gateway.config.ConfigLoader;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventType;
import io.storegw.gateway.pos.PosTransactionHandler;
import io.storegw.gateway.privacy.KeyedHash;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.ZoneId;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code storegw pos}: point-of-sale tools. */
@Command(name = "pos", mixinStandardHelpOptions = true, description = "Point-of-sale tools.", subcommands = PosCommand.Parse.class)
final class PosCommand {

    /** {@code storegw pos parse FILE}: what the gateway would publish for a till's file. */
    @Command(name = "parse", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Parse a till's file (POSLog XML or a JSON profile) and print the pos.transaction.completed "
                + "data the gateway would publish, one line (or JSON object) per sale or return, and why any transaction was skipped."},
            footer = {"", "The format comes from the file name as in the spool folder (*.square.json, *.shopify.json, "
                + "*.lightspeed.json, other *.json generic, anything else POSLog) unless --format names it.",
                "", "With --config, the store, time zone, currency, loyalty paths and loyalty key of that gateway are used "
                + "(read only; nothing is created). Without it, loyalty references are made with a throwaway key.",
                "", "Exit status: 0 parsed, 1 the file was refused (the reason is printed), 2 usage error."})
    static final class Parse implements Callable<Integer> {

        @Parameters(paramLabel = "FILE", description = "A POSLog XML or JSON file.")
        Path file;

        @Option(names = "--format", paramLabel = "FORMAT", description = "poslog, square, shopify, lightspeed or generic.",
                converter = FormatConverter.class)
        PosFormat format;

        @Option(names = "--json", description = "Print each event's data as JSON.")
        boolean json;

        @Option(names = "--config", paramLabel = "FILE", description = "The gateway's config file.")
        Path config;

        @Option(names = "--currency", paramLabel = "CODE", description = "The store's ISO 4217 currency, for tills that name none (default: the config's sources.pos.currency).")
        String currency;

        @Option(names = "--zone", paramLabel = "ZONE", description = "Time zone for date-times written without one (default: the config's timeZone, else UTC).")
        ZoneId zone;

        @Override
        public Integer call() throws IOException {
            String store = "-";
            PosSettings settings = PosSettings.of(ZoneId.of("UTC"));
            KeyedHash hash = null;
            if (config != null) {
                try {
                    GatewayConfig c = ConfigLoader.load(config);
                    store = c.store();
                    settings = Gateway.posSettings(c);
                    Path key = c.stateDir().resolve("pseudonym.key");
                    if (Files.isReadable(key)) {
                        hash = new KeyedHash(Files.readAllBytes(key));
                    }
                } catch (ConfigException e) {
                    System.err.println(e.getMessage());
                    return 1;
                }
            }
            if (hash == null) {
                byte[] throwaway = new byte[32];
                new SecureRandom().nextBytes(throwaway);
                hash = new KeyedHash(throwaway);
                System.err.println("storegw pos parse: loyalty references made with a throwaway key (the gateway's differs)");
            }
            PosDocument result;
            if (zone != null || currency != null) {
                settings = new PosSettings(zone != null ? zone : settings.storeZone(), settings.maxBytes(), settings.loyaltyPaths(),
                        currency != null ? currency : settings.currency());
            }
            try (InputStream in = Files.newInputStream(file)) {
                result = new PosReader(settings).read(format != null ? format : PosFormat.ofFileName(file.getFileName().toString()), in);
            } catch (NoSuchFileException e) {
                System.err.println("storegw pos parse: no such file: " + file);
                return 2;
            } catch (PosFormatException e) {
                System.err.println("storegw pos parse: " + file + ": " + e.getMessage());
                return 1;
            }
            PosTransactionHandler handler = new PosTransactionHandler(store, hash, new io.storegw.gateway.members.MemberDirectory());
            for (PosTransaction t : result.transactions()) {
                handler.onObservation(t, new Emitter() {
                    @Override
                    public void emit(EventType type, String subject, DataClass dataClass, Object data) {
                        System.out.println(json ? JsonLine.of(data) : line(t, subject));
                    }

                    @Override
                    public void save(String key, Object state) {
                        // the POS handler keeps no state
                    }
                });
            }
            result.skipped().forEach(s -> System.err.println("skipped " + s.transaction() + ": " + s.reason()));
            return 0;
        }

        /** Accepts the formats by their ids, as routes and file names spell them. */
        static final class FormatConverter implements ITypeConverter<PosFormat> {
            @Override
            public PosFormat convert(String value) {
                for (PosFormat f : PosFormat.values()) {
                    if (f.id().equals(value)) {
                        return f;
                    }
                }
                throw new TypeConversionException("expected poslog, square, shopify, lightspeed or generic, got '" + value + "'");
            }
        }

        private static String line(PosTransaction t, String subject) {
            return String.format(Locale.ROOT, "%s %s %s %s %s, %d lines, %d tenders, %d rewards, loyalty %s, %s",
                    t.kind().name().toLowerCase(Locale.ROOT), subject, t.at(), t.currency(), t.total().toPlainString(),
                    t.lines().size(), t.tenders().size(), t.rewards().size(), t.loyaltyNumber().isPresent() ? "card" : "none",
                    t.sourceFormat());
        }

    }
}
