package io.storegw.gateway.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads {@code storegw.yaml}: binds it, then checks every value, and reports all problems at once,
 * each with its key and line, before the gateway touches anything.
 */
public final class ConfigLoader {

    /** Past this many problems the reading stops: the file is not the one meant. */
    private static final int MAX_PROBLEMS = 50;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .registerModule(new SimpleModule("storegw-config").addDeserializer(Duration.class, new Durations.Deserializer())
                    .addDeserializer(Path.class, new RelativePaths()))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // a key given twice would have the second silently win: a technician's second uplink: section, say
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** A config is a page of YAML; past this it is not one (a log or a dump named by mistake), and is not read whole. */
    static final long MAX_BYTES = 1 << 20;

    private ConfigLoader() {
    }

    /** Loads and checks a file. */
    public static GatewayConfig load(Path file) throws ConfigException {
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new ConfigException(file.toString(), List.of(new ConfigException.Problem("", 0,
                        "larger than " + (MAX_BYTES >> 10) + " KB: not a storegw config (a config is a page of YAML)")));
            }
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigException.Problem("", 0, "no such file")));
        } catch (CharacterCodingException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigException.Problem("", 0,
                    "not UTF-8 text: a config is a YAML text file (was a binary file named?)")));
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
        Map<String, Integer> lines = linesOf(text);
        Map<String, ConfigException.Problem> found = new LinkedHashMap<>(); // the first problem of each key
        GatewayConfig config = bind(name, text, baseDir, lines, found);
        if (config == null) {
            throw new ConfigException(name, List.of(new ConfigException.Problem("", 1, "the file holds no settings")));
        }
        // A value taken out while binding is checked as if it were missing: it has its problem already.
        List<ConfigException.Problem> checked = ConfigValidator.check(config, lines).stream()
                .filter(p -> found.keySet().stream().noneMatch(k -> p.key().equals(k) || p.key().startsWith(k + ".") || p.key().startsWith(k + "[")))
                .toList();
        List<ConfigException.Problem> problems = byLine(found.values(), checked);
        if (!problems.isEmpty()) {
            throw new ConfigException(name, problems);
        }
        return config;
    }

    /**
     * Binds the text, noting in {@code found} each unknown key and each value of the wrong form. Jackson's binding
     * ends at such a value, so it is taken out of the text's tree and the tree bound again, until the rest binds.
     *
     * @throws ConfigException when what is left cannot be bound (the YAML is broken, or a problem cannot be taken out)
     */
    private static GatewayConfig bind(String name, String text, Path baseDir, Map<String, Integer> lines,
                                      Map<String, ConfigException.Problem> found) throws ConfigException {
        ObjectNode tree = null;
        while (true) {
            UnknownKeys unknown = new UnknownKeys(lines);
            ObjectReader reader = YAML.readerFor(GatewayConfig.class).withAttribute(RelativePaths.BASE_DIR, baseDir).withHandler(unknown);
            try {
                GatewayConfig config = tree == null ? reader.readValue(text) : reader.treeToValue(tree, GatewayConfig.class);
                unknown.found.forEach(u -> found.putIfAbsent(u.key(), u));
                return config;
            } catch (JsonProcessingException e) {
                unknown.found.forEach(u -> found.putIfAbsent(u.key(), u));
                ConfigException.Problem problem = describe(e, lines);
                boolean again = !found.containsKey(problem.key()) && found.size() < MAX_PROBLEMS;
                found.putIfAbsent(problem.key(), problem);
                if (tree == null && again && e instanceof JsonMappingException) {
                    tree = treeOf(text, found, lines);
                }
                if (!again || tree == null || !(e instanceof JsonMappingException m) || !removeValueAt(tree, m.getPath())) {
                    throw new ConfigException(name, byLine(found.values(), List.of()));
                }
            }
        }
    }

    /** The text as a tree to take bad values out of, or null (its problem noted) when it is not all valid YAML. */
    private static ObjectNode treeOf(String text, Map<String, ConfigException.Problem> found, Map<String, Integer> lines) {
        try {
            return YAML.readTree(text) instanceof ObjectNode tree ? tree : null;
        } catch (JsonProcessingException e) {
            ConfigException.Problem problem = describe(e, lines); // a syntax error past the value that ended the binding
            found.putIfAbsent(problem.key(), problem);
            return null;
        }
    }

    /**
     * Takes the value Jackson could not bind out of the tree: the key, or for an item of a list the whole list
     * (taking an item out would renumber the rest, whose problems would then name the wrong item).
     */
    private static boolean removeValueAt(ObjectNode tree, List<JsonMappingException.Reference> path) {
        JsonNode at = tree;
        ObjectNode owner = null;
        String key = null;
        for (JsonMappingException.Reference ref : path) {
            if (ref.getFieldName() != null && at instanceof ObjectNode o) {
                owner = o;
                key = ref.getFieldName();
                at = o.get(key);
            } else if (ref.getIndex() >= 0 && at instanceof ArrayNode a && ref.getIndex() < a.size()) {
                at = a.get(ref.getIndex());
            } else {
                break; // a path into a value Jackson built itself (a map key, a scalar): take out what holds it
            }
        }
        return owner != null && owner.remove(key) != null;
    }

    private static List<ConfigException.Problem> byLine(Collection<ConfigException.Problem> some, List<ConfigException.Problem> more) {
        List<ConfigException.Problem> all = new ArrayList<>(some);
        all.addAll(more);
        // Top to bottom, then what has no line (a missing key); stable, so a line's problems keep their order.
        all.sort(Comparator.comparingInt(p -> p.line() == 0 ? Integer.MAX_VALUE : p.line()));
        return all;
    }

    /**
     * Notes an unknown key and skips it, so that binding goes on: a file with three misspelt keys shows all three,
     * with whatever else is wrong in it, instead of one per {@code config check}.
     */
    private static final class UnknownKeys extends DeserializationProblemHandler {
        private final Map<String, Integer> lines;
        private final List<ConfigException.Problem> found = new ArrayList<>();

        UnknownKeys(Map<String, Integer> lines) {
            this.lines = lines;
        }

        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                                             Object beanOrClass, String propertyName) throws IOException {
            String key;
            if (p == ctxt.getParser()) {
                key = keyOf(p.getParsingContext());
            } else {
                // A record's unknown keys are buffered and replayed once it is built, from a buffer that knows
                // neither lines nor the path; the file's parser then stands at the end of the record's section.
                String section = keyOf(ctxt.getParser().getParsingContext());
                key = section.isEmpty() ? propertyName : section + "." + propertyName;
            }
            int line = lines.getOrDefault(key, 0);
            String known = deserializer.getKnownPropertyNames() == null ? "" : deserializer.getKnownPropertyNames().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            found.add(new ConfigException.Problem(key, line,
                    "unknown key '" + propertyName + "'" + (known.isEmpty() ? "" : " (expected one of: " + known + ")")));
            p.skipChildren();
            return true;
        }
    }

    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate field '([^']*)'");

    private static ConfigException.Problem describe(JsonProcessingException e, Map<String, Integer> lines) {
        JsonLocation where = e.getLocation();
        int line = where == null ? 0 : where.getLineNr();
        if (e instanceof JsonMappingException m && lines.containsKey(pathOf(m))) {
            line = lines.get(pathOf(m)); // Jackson's own location can be a line late; the key's line is what people look for
        }
        if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
            line = yaml.getProblemMark().getLine() + 1; // Jackson's location is where the scanner stood, often a line early
        }
        Matcher duplicate = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
        if (duplicate.find()) {
            String key = e instanceof JsonMappingException m && !pathOf(m).isEmpty() ? pathOf(m) + "." + duplicate.group(1)
                    : e.getProcessor() instanceof JsonParser p ? keyOf(p.getParsingContext()) : duplicate.group(1);
            // where the parser found the second, not the section's line a mapping problem is given
            return new ConfigException.Problem(key, where == null ? line : where.getLineNr(), "given twice in the same section; keep one (the second would"
                    + " silently replace the first)");
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
        } else if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list: [a, b], or a '- item' line for each";
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

    /** The dotted key the parser stands on, as {@link #pathOf} and the validator write it ({@code presence.zones[0].name}). */
    private static String keyOf(JsonStreamContext at) {
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = at; c != null && !c.inRoot(); c = c.getParent()) {
            // A section or list just opened has no name or index yet: the key is its parent's.
            if (c.inArray() && c.getCurrentIndex() >= 0) {
                parts.push("[" + c.getCurrentIndex() + "]");
            } else if (c.inObject() && c.getCurrentName() != null) {
                parts.push(c.getCurrentName());
            }
        }
        StringBuilder key = new StringBuilder();
        for (String part : parts) {
            key.append(key.length() == 0 || part.startsWith("[") ? "" : ".").append(part);
        }
        return key.toString();
    }

    /** Maps every dotted key in the text to the line it stands on, for problems found after binding. */
    private static Map<String, Integer> linesOf(String text) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = YAML.getFactory().createParser(text)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.FIELD_NAME || token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    // A list's items are known by where they start, a key by its own line.
                    lines.putIfAbsent(keyOf(parser.getParsingContext()), parser.currentTokenLocation().getLineNr());
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
