package io.storegw.gateway.testing;

import io.storegw.gateway.config.ConfigException;
import io.storegw.gateway.config.ConfigLoader;
import io.storegw.gateway.config.GatewayConfig;
import java.nio.file.Path;

/** Gateway configs for tests, written as YAML so every test also goes through the real loader. */
public final class TestConfigs {

    private TestConfigs() {
    }

    /**
     * A gateway on {@code broker} with state in {@code stateDir}, the virtual store at {@code rate}
     * observations/s up to {@code limit}, and {@code extra} YAML appended (top-level keys only).
     */
    public static String yaml(Path stateDir, String broker, double rate, long limit, String extra) {
        return """
                tenant: acme
                store: s042
                gateway: gw1
                stateDir: %s
                uplink:
                  broker: %s
                  keepAlive: 5s
                  backoff:
                    base: 100ms
                    cap: 1s
                core:
                  bucket: 1s
                  telemetry: 2s
                sources:
                  virtual:
                    seed: 7
                    rate: %s
                    limit: %d
                admin:
                  http:
                    port: 0
                """.formatted(stateDir.toAbsolutePath(), broker, rate, limit) + extra;
    }

    public static GatewayConfig config(Path stateDir, String broker, double rate, long limit, String extra) {
        return parse(stateDir, yaml(stateDir, broker, rate, limit, extra));
    }

    /** The same gateway with no source at all: the test feeds the core loop itself. */
    public static GatewayConfig withoutSources(Path stateDir, String broker, String extra) {
        return parse(stateDir, yaml(stateDir, broker, 0, 0, extra).replaceAll("(?s)sources:.*?admin:", "sources: {}\nadmin:"));
    }

    /** {@code yaml} with its sources replaced by {@code sources}, given as the lines under {@code sources:}. */
    public static String withSources(String yaml, String sources) {
        return yaml.replaceAll("(?s)sources:.*?admin:", java.util.regex.Matcher.quoteReplacement("sources:\n" + sources + "admin:"));
    }

    /** Writes a POS tokens file for tills {@code till-1} to {@code till-N}; till n's token is {@link #tillToken}. */
    public static Path tillTokens(Path file, int tills) throws java.io.IOException {
        StringBuilder tokens = new StringBuilder();
        for (int t = 1; t <= tills; t++) {
            tokens.append("till-").append(t).append(' ').append(tillToken(t)).append('\n');
        }
        return java.nio.file.Files.writeString(file, tokens);
    }

    /** The bearer token of {@code till-n} in {@link #tillTokens}. */
    public static String tillToken(int till) {
        return "token-of-till-" + till + "-0123456789";
    }

    /** The lines under {@code sources:} of a POS HTTP intake on {@code port} taking the tills of {@code tokensFile}. */
    public static String posHttp(int port, Path tokensFile) {
        return """
                  pos:
                    http:
                      enabled: true
                      port: %d
                      tokensFile: %s
                """.formatted(port, tokensFile.toAbsolutePath());
    }

    private static GatewayConfig parse(Path stateDir, String yaml) {
        try {
            return ConfigLoader.parse("test.yaml", yaml, stateDir);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
