package io.storegw.gateway.config;

import java.util.List;
import java.util.stream.Collectors;

/** A config file that cannot be used, with every problem found in it. */
public final class ConfigException extends Exception {

    /** One problem: the key (dotted path), the line (0 when unknown) and what was expected. */
    public record Problem(String key, int line, String message) {
        @Override
        public String toString() {
            return (line > 0 ? "line " + line + ": " : "") + (key.isEmpty() ? "" : key + ": ") + message;
        }
    }

    private final String file;
    private final List<Problem> problems;

    public ConfigException(String file, List<Problem> problems) {
        super(problems.stream().map(p -> file + ": " + p).collect(Collectors.joining("\n")));
        this.file = file;
        this.problems = List.copyOf(problems);
    }

    public String file() {
        return file;
    }

    public List<Problem> problems() {
        return problems;
    }
}
