package io.storegw.rigs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IllegalFormatException;
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

    @Test
    void everyHelpTextIsMadeOfWholeSentences() {
        List<String> wrong = new ArrayList<>();
        helpTexts(DevMain.commandLine(), "storegw", wrong);
        assertThat(wrong).as("help texts that stop mid-sentence or that picocli cannot format").isEmpty();
    }

    @Test
    void aHelpLineCutMidSentenceOrWithALonePercentIsCaught() {
        List<String> wrong = new ArrayList<>();
        helpLine("t", "Measure what the gateway writes to disk per event at a store's pace", wrong);
        helpLine("t", "60% pay with their card.", wrong);
        helpLine("t", "60%% pay with their card.", wrong);
        assertThat(wrong).hasSize(2);
    }

    /**
     * Picocli prints each element of a description as a paragraph of its own, and lists a subcommand in its parent's
     * help by the first one alone: an element cut mid-sentence shows as a ragged or truncated line.
     */
    private static void helpTexts(CommandLine parent, String path, List<String> wrong) {
        parent.getSubcommands().forEach((name, sub) -> {
            if (!name.equals(sub.getCommandName()) || sub.getCommand() instanceof CommandLine.HelpCommand) {
                return; // an alias, or picocli's own
            }
            String where = path + " " + name;
            CommandLine.Model.UsageMessageSpec usage = sub.getCommandSpec().usageMessage();
            if (usage.header().length == 0 && usage.description().length == 0) {
                wrong.add(where + ": no description");
            }
            for (String line : usage.header().length > 0 ? usage.header() : usage.description()) {
                helpLine(where, line, wrong);
            }
            for (CommandLine.Model.PositionalParamSpec parameter : sub.getCommandSpec().positionalParameters()) {
                if (parameter.defaultValue() != null && parameter.arity().min() > 0) {
                    wrong.add(where + " " + parameter.paramLabel() + ": has a default, but the synopsis shows it required");
                }
            }
            for (CommandLine.Model.OptionSpec option : sub.getCommandSpec().options()) {
                if (option.arity().max() > 0 && option.paramLabel().startsWith("<")) {
                    wrong.add(where + " " + option.longestName() + ": picocli's own label " + option.paramLabel()
                            + " (a field's name), not what to give (FILE, N, SECONDS)");
                }
                for (String line : option.description()) {
                    helpLine(where + " " + option.longestName(), line, wrong);
                }
            }
            helpTexts(sub, where, wrong);
        });
    }

    private static void helpLine(String where, String line, List<String> wrong) {
        if (!line.isBlank() && !line.strip().matches(".*([.?!:]|[.?!]\\))$")) {
            wrong.add(where + ", cut mid-sentence: \"" + line.strip() + "\"");
        }
        try {
            String.format(line); // as picocli does: a lone % gets a warning and the line unformatted
        } catch (IllegalFormatException e) {
            wrong.add(where + ", a lone %: \"" + line.strip() + "\"");
        }
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
