package io.storegw.rigs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every {@code storegw} command the README and docs/ show exists as written: the examples in code
 * blocks parse, and the synopses in the text name real subcommands and options. What the commands
 * print is checked against a running daemon by the provisioning module's tests.
 */
class DocumentedCommandsTest {

    private static final Path ROOT = Path.of("..");
    private static final Pattern EXAMPLE = Pattern.compile("^\\s*(?:sudo\\s+)?(?:\\./)?storegw\\s+(.*)$");
    private static final Pattern SYNOPSIS = Pattern.compile("`(?:\\./)?storegw\\s+([^`]+)`");
    private static final Pattern WORD = Pattern.compile("\"[^\"]*\"|'[^']*'|\\S+");

    record Use(String where, List<String> args, boolean example) {
    }

    @Test
    void everyDocumentedCommandExistsAsWritten() throws IOException {
        List<Use> uses = documentedUses();
        List<String> wrong = new ArrayList<>();
        for (Use use : uses) {
            String problem = check(use);
            if (problem != null) {
                wrong.add(use.where() + ": storegw " + String.join(" ", use.args()) + " -> " + problem);
            }
        }
        assertThat(uses.stream().filter(Use::example).count()).as("examples found in code blocks").isGreaterThan(20);
        assertThat(uses.stream().filter(u -> !u.example()).count()).as("synopses found in the text").isGreaterThan(20);
        assertThat(wrong).as("documented commands that storegw does not take").isEmpty();
    }

    @Test
    void aMisspelledCommandOrOptionIsCaught() {
        assertThat(check(new Use("t", List.of("queue", "purgee"), true))).isNotNull();
        assertThat(check(new Use("t", List.of("queue", "purge", "--klass", "bulk"), false))).contains("--klass");
        assertThat(check(new Use("t", List.of("zones", "add", "checkout", "--receiver", "gw-1"), true))).isNull();
    }

    /** Null when the use is right, else what is wrong with it. */
    private static String check(Use use) {
        CommandLine root = DevMain.commandLine();
        CommandLine at = root;
        int i = 0;
        while (i < use.args().size() && at.getSubcommands().containsKey(use.args().get(i))) {
            at = at.getSubcommands().get(use.args().get(i++));
        }
        if (at == root && !use.args().isEmpty() && !use.args().get(0).startsWith("-")) {
            return "no command " + use.args().get(0);
        }
        for (String word : use.args().subList(i, use.args().size())) {
            String option = word.replaceAll("[\\[\\]]|\\.\\.\\.$|=.*$", "");
            if (option.startsWith("-") && at.getCommandSpec().findOption(option) == null) {
                return "no option " + option + " on " + at.getCommandName();
            }
        }
        if (use.example()) {
            try {
                root.parseArgs(use.args().toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                return e.getMessage();
            }
        }
        return null;
    }

    private static List<Use> documentedUses() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<Use> uses = new ArrayList<>();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            boolean inCode = false;
            for (int n = 0; n < lines.size(); n++) {
                String line = lines.get(n);
                String where = ROOT.relativize(file) + ":" + (n + 1);
                if (line.strip().startsWith("```")) {
                    inCode = !inCode;
                    continue;
                }
                if (inCode) {
                    Matcher m = EXAMPLE.matcher(line);
                    if (m.matches()) {
                        StringBuilder command = new StringBuilder(m.group(1));
                        while (command.toString().strip().endsWith("\\") && n + 1 < lines.size()) {
                            command.setLength(command.lastIndexOf("\\"));
                            command.append(' ').append(lines.get(++n));
                        }
                        uses.add(new Use(where, words(command.toString().replaceAll("\\s#.*$", "")), true));
                    }
                } else {
                    Matcher m = SYNOPSIS.matcher(line);
                    while (m.find()) {
                        uses.add(new Use(where, words(m.group(1)), false));
                    }
                }
            }
        }
        return uses;
    }

    private static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        Matcher m = WORD.matcher(command);
        while (m.find()) {
            String w = m.group();
            words.add(w.length() > 1 && (w.startsWith("\"") || w.startsWith("'")) ? w.substring(1, w.length() - 1) : w);
        }
        return words;
    }
}
