package io.storegw.gateway.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads {@code storegw.yaml}: binds it, then checks every value, and reports all problems at once,
 * each with its key and line, before the gateway touches anything.
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .registerModule(new SimpleModule("storegw-config").addDeserializer(Duration.class, new Durations.Deserializer())
                    .addDeserializer(Path.class, new RelativePaths()))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ConfigLoader() {
    }

    /** Loads and checks a file. */
    public static GatewayConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigException.Problem("", 0, "no such file")));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigException.Problem("", 0, "cannot read: " + e.getMessage())));
        }
        return parse(file.toString(), text, file.toAbsolutePath().getParent());
    }

    /**
     * Checks a store layout changed while the gateway runs (zones, receiver offsets, registered beacons)
     * as the file's would be; each problem names the key it would have there.
     */
    public static List<ConfigException.Problem> checkPlaces(List<GatewayConfig.Zone> zones, Map<String, Double> receiverOffsets,
                                                            List<String> registered) {
        return ConfigValidator.checkPlaces(zones, receiverOffsets, registered);
    }

    /**
     * Parses config text; relative paths in it are resolved against {@code baseDir}.
     *
     * @param name what to call the text in messages (usually the file name)
     */
    public static GatewayConfig parse(String name, String text, Path baseDir) throws ConfigException {
        if (text.isBlank()) {
            throw new ConfigException(name, List.of(new ConfigException.Problem("", 1, "the file is empty")));
        }
        GatewayConfig config;
        try {
            config = YAML.readerFor(GatewayConfig.class).withAttribute(RelativePaths.BASE_DIR, baseDir).readValue(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(name, List.of(describe(e, linesOf(text))));
        }
        if (config == null) {
            throw new ConfigException(name, List.of(new ConfigException.Problem("", 1, "the file holds no settings")));
        }
        List<ConfigException.Problem> problems = ConfigValidator.check(config, linesOf(text));
        if (!problems.isEmpty()) {
            throw new ConfigException(name, problems);
        }
        return config;
    }

    private static ConfigException.Problem describe(JsonProcessingException e, Map<String, Integer> lines) {
        JsonLocation where = e.getLocation();
        int line = where == null ? 0 : where.getLineNr();
        if (e instanceof JsonMappingException m && lines.containsKey(pathOf(m))) {
            line = lines.get(pathOf(m)); // Jackson's own location can be a line late; the key's line is what people look for
        }
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            return new ConfigException.Problem(pathOf(u), line,
                    "unknown key '" + u.getPropertyName() + "'" + (known.isEmpty() ? "" : " (expected one of: " + known + ")"));
        }
        if (e instanceof ValueInstantiationException v && v.getCause() != null) {
            return new ConfigException.Problem(pathOf(v), line, v.getCause().getMessage());
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return new ConfigException.Problem(pathOf(m), line, "expected " + expected(m.getTargetType()));
        }
        if (e instanceof JsonMappingException m) {
            return new ConfigException.Problem(pathOf(m), line, m.getOriginalMessage().replaceAll("\\s*\\(through reference chain.*", ""));
        }
        return new ConfigException.Problem("", line, "not valid YAML: " + e.getOriginalMessage());
    }

    private static String expected(Class<?> type) {
        if (type == String.class) {
            return "a text value";
        } else if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        } else if (type == Double.class || type == double.class) {
            return "a number";
        } else if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        } else if (type == Path.class) {
            return "a file path";
        } else if (type == Duration.class) {
            return "a duration such as 250ms, 30s, 5m, 2h or 7d";
        } else if (type == ByteSize.class) {
            return "a size such as 64MB or 1GB";
        }
        return "a section of 'key: value' lines";
    }

    private static String pathOf(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** Maps every dotted key in the text to the line it stands on, for problems found after binding. */
    private static Map<String, Integer> linesOf(String text) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = YAML.getFactory().createParser(text)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.FIELD_NAME) {
                    String pointer = parser.getParsingContext().pathAsPointer().toString();
                    lines.put(pointer.substring(1).replace('/', '.'), parser.currentTokenLocation().getLineNr());
                }
            }
        } catch (IOException e) {
            // The text was parsed once already; a second failure only costs us line numbers.
        }
        return lines;
    }

    /**
     * Binds a path as written, resolving a relative one against the config file's folder: the gateway
     * opens what the validator checked, whatever its working directory (under systemd, {@code /}).
     */
    static final class RelativePaths extends StdScalarDeserializer<Path> {
        static final String BASE_DIR = "storegw.config.baseDir";

        RelativePaths() {
            super(Path.class);
        }

        @Override
        public Path deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (Path) ctxt.handleUnexpectedToken(Path.class, p);
            }
            Path path;
            try {
                path = Path.of(p.getText());
            } catch (InvalidPathException e) {
                return (Path) ctxt.handleWeirdStringValue(Path.class, p.getText(), "not a file path: " + e.getReason());
            }
            return ctxt.getAttribute(BASE_DIR) instanceof Path base && !path.isAbsolute() ? base.resolve(path) : path;
        }
    }
}
