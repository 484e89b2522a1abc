package io.storegw.gateway.members;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storegw.gateway.testing.FileSizeLimit;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nonces in the member table: kept while a replay could still pass as fresh, forgotten with a later command after that;
 * and a command failed by a full disk does not fail the ones after space is freed.
 */
class MemberStoreTest {

    @TempDir
    Path dir;

    @Test
    void aNonceIsRefusedWhileItCouldPassAsFreshAndForgottenWithALaterCommandAfterwards() throws Exception {
        Instant t0 = Instant.parse("2026-12-01T10:00:00Z");
        try (MemberStore store = MemberStore.open(dir.resolve("members"), dir.resolve("members.key"), Duration.ofMinutes(5))) {
            store.take("nonce-aaaaaaaaaaaaaaaa", t0);
            store.take("nonce-bbbbbbbbbbbbbbbb", t0.plus(Duration.ofMinutes(9)));
            assertThatThrownBy(() -> store.take("nonce-aaaaaaaaaaaaaaaa", t0)).as("within twice maxAge: kept")
                    .isInstanceOf(MemberStore.Replayed.class);
            store.take("nonce-cccccccccccccccc", t0.plus(Duration.ofMinutes(11)));
            store.take("nonce-aaaaaaaaaaaaaaaa", t0); // forgotten: the verifier refuses it as stale long before this
            assertThatThrownBy(() -> store.take("nonce-bbbbbbbbbbbbbbbb", t0.plus(Duration.ofMinutes(9))))
                    .isInstanceOf(MemberStore.Replayed.class);
        }
    }

    /**
     * A full disk (the child JVM's file-size limit) fails a command, then space is freed: the next command is taken, by
     * the same process, with everything committed before. H2 closes its database on a failed write while the
     * connection still says it is open; before the table connected again, every later command failed until a restart.
     */
    @Test
    void aCommandFailedByAFullDiskDoesNotFailTheOnesAfterSpaceIsFreed() throws Exception {
        Path base = dir.resolve("members");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), Child.class.getName(), base.toString(), dir.resolve("members.key").toString());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (BufferedWriter in = new BufferedWriter(new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8));
             BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(ask(in, out, "upsert 1")).isEqualTo("ok");
            FileSizeLimit.set(child, Files.size(Path.of(base + MemberStore.SUFFIX))); // the table's file may not grow
            String answer = "ok";
            int n = 2;
            for (; n < 50 && answer.equals("ok"); n++) {
                answer = ask(in, out, "upsert " + n);
            }
            assertThat(answer).as("a member upserted with the disk full").startsWith("failed").contains("Writing to");
            assertThat(ask(in, out, "upsert " + n)).as("with the disk still full").startsWith("failed");

            FileSizeLimit.set(child, -1);
            assertThat(ask(in, out, "upsert " + (n + 1))).isEqualTo("ok");
            assertThat(ask(in, out, "members")).contains("p-1,").endsWith(",p-" + (n + 1));
        } finally {
            child.destroy();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String ask(BufferedWriter in, BufferedReader out, String line) throws Exception {
        in.write(line + "\n");
        in.flush();
        String answer = out.readLine();
        assertThat(answer).as("the child's answer to %s", line).isNotNull();
        return answer;
    }

    /** A member table in a child JVM, used line by line: {@code upsert N} answers ok or failed, {@code members} their pseudonyms. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            try (MemberStore store = MemberStore.open(Path.of(args[0]), Path.of(args[1]), Duration.ofMinutes(5));
                 BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    String[] words = line.split(" ");
                    try {
                        if (words[0].equals("upsert")) {
                            // 60 KB a member, so that a few need more room than the file has
                            store.upsert("nonce-" + words[1] + "-aaaaaaaaaaaaaaaa", Instant.now(),
                                    new Member("p-" + words[1], "c".repeat(60_000), null, null, List.of()));
                            System.out.println("ok");
                        } else {
                            System.out.println(String.join(",", store.members().stream().map(Member::pseudonym).sorted(
                                    java.util.Comparator.comparingInt(p -> Integer.parseInt(p.substring(2)))).toList()));
                        }
                    } catch (Exception e) {
                        System.out.println(("failed: " + e + (e.getCause() == null ? "" : " " + e.getCause())).replace('\n', ' '));
                    }
                }
            }
        }
    }
}
