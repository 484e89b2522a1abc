package io.storegw.drivers.pos;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.observation.PosTransaction;
import io.storegw.drivers.source.RecordingSink;
import io.storegw.drivers.source.Refused;
import io.storegw.drivers.testing.Await;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosSpoolSourceTest {

    @TempDir
    Path dir;
    Path spool;
    final RecordingSink sink = new RecordingSink();
    final List<Observation> taken = sink.taken;
    final Map<String, Integer> refused = sink.refused;
    PosSpoolSource source;
    byte[] ncr;

    @BeforeEach
    void start() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/pos/ncr_acs_SMALL.xml")) {
            ncr = in.readAllBytes();
        }
        spool = dir.resolve("spool");
        source = new PosSpoolSource(new PosSpoolSource.Settings(spool, Duration.ofMillis(50), Duration.ofDays(7),
                PosSettings.of(ZoneId.of("America/New_York"))), Clock.systemUTC());
        source.start(sink);
        until(() -> Files.isDirectory(spool.resolve("done")));
    }

    @AfterEach
    void stop() {
        source.close();
    }

    /** As a till should: write under a name the gateway ignores, then rename. */
    void drop(String name, byte[] body) throws Exception {
        Path tmp = Files.write(spool.resolve(name + ".tmp"), body);
        Files.move(tmp, spool.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** The reason a file went to failed/, once written (the file appears before its text does). */
    String reason(String name) throws Exception {
        Path reason = spool.resolve("failed").resolve(name + ".reason");
        until(() -> Files.exists(reason) && reason.toFile().length() > 0);
        return Files.readString(reason);
    }

    static void until(BooleanSupplier condition) throws InterruptedException {
        Await.until(Duration.ofSeconds(10), "the spool folder", condition);
    }

    @Test
    void aWholeFileIsTakenAndMovedToDoneOnceDurable() throws Exception {
        Files.write(spool.resolve("half-written.xml.tmp"), new byte[] {'<'});
        drop("0001.xml", ncr);
        until(() -> Files.exists(spool.resolve("done").resolve("0001.xml")));
        assertThat(taken).singleElement().extracting(o -> ((PosTransaction) o).sequenceNumber()).isEqualTo(161L);
        assertThat(spool.resolve("0001.xml")).doesNotExist();
        assertThat(spool.resolve("half-written.xml.tmp")).as("a file still being written is left alone").exists();
    }

    /** A folder of weeks of sales is taken a thousand names at a time, oldest first, and all of it. */
    @Test
    void aLargeFolderIsTakenInPassesOfTheOldestNames() throws Exception {
        source.close();
        int files = PosSpoolSource.PER_PASS + 200;
        for (int i = files; i > 0; i--) { // newest first: the order the folder lists them in must not matter
            Files.write(spool.resolve("%05d.xml".formatted(i)), ncr);
        }
        source = new PosSpoolSource(new PosSpoolSource.Settings(spool, Duration.ofMillis(50), Duration.ofDays(7),
                PosSettings.of(ZoneId.of("America/New_York"))), Clock.systemUTC());
        List<Path> pass = source.waiting();
        assertThat(pass).hasSize(PosSpoolSource.PER_PASS).isSorted();
        assertThat(pass.get(0).getFileName()).hasToString("00001.xml");
        assertThat(pass.get(pass.size() - 1).getFileName()).hasToString("%05d.xml".formatted(PosSpoolSource.PER_PASS));
        source.start(sink);
        Await.until(Duration.ofSeconds(60), "every file taken", () -> taken.size() == files);
        try (var done = Files.list(spool.resolve("done"))) {
            assertThat(done.count()).isEqualTo(files);
        }
    }

    @Test
    void aBrokenFileGoesToFailedWithItsReason() throws Exception {
        drop("0002.xml", "<POSLog><Transaction>".getBytes());
        assertThat(reason("0002.xml")).startsWith("not well-formed XML");
        assertThat(spool.resolve("failed").resolve("0002.xml")).hasContent("<POSLog><Transaction>");
        assertThat(refused).containsEntry("pos-spool/malformed", 1);
        assertThat(taken).isEmpty();
    }

    @Test
    void aFileThatIsPushedBackStaysAndIsTakenWhenTheGatewayHasRoom() throws Exception {
        sink.durable = CompletableFuture.failedFuture(new IllegalStateException("outbox full"));
        drop("0003.xml", ncr);
        until(() -> refused.getOrDefault("pos-spool/pushed-back", 0) >= 2);
        assertThat(spool.resolve("0003.xml")).exists();
        assertThat(source.problem()).contains("0003.xml", "outbox full");
        sink.durable = CompletableFuture.completedFuture(null);
        until(() -> Files.exists(spool.resolve("done").resolve("0003.xml")));
        assertThat(source.problem()).isNull();
        // every attempt handed the transaction over again; the outbox's idempotency key makes the repeats no-ops
        assertThat(taken).hasSizeGreaterThanOrEqualTo(3).extracting(Observation::idempotencyKey).containsOnly("pos/9/34/2017-09-30/161");
    }

    @Test
    void jsonFilesAreReadByTheProfileTheirNameSays() throws Exception {
        drop("hook-1.shopify.json", PosJsonProfilesTest.resource("shopify-orders-create.json"));
        drop("kasse.json", PosJsonProfilesTest.resource("generic-sales.json"));
        until(() -> Files.exists(spool.resolve("done").resolve("kasse.json")) && Files.exists(spool.resolve("done").resolve("hook-1.shopify.json")));
        assertThat(taken).extracting(o -> ((PosTransaction) o).sourceFormat()).containsExactlyInAnyOrder("shopify", "generic");
    }

    @Test
    void aFileTheGatewayCannotProcessGoesToFailedAndIsNotRetried() throws Exception {
        sink.durable = CompletableFuture.failedFuture(new Refused(Refused.Retry.NEVER, "the gateway cannot process this input: boom", null));
        drop("0004.xml", ncr);
        assertThat(reason("0004.xml")).contains("boom");
        assertThat(refused).containsEntry("pos-spool/unprocessable", 1).doesNotContainKey("pos-spool/pushed-back");
        assertThat(taken).hasSize(1);
    }

    @Test
    void doneFilesAreDeletedAfterTheirKeepingTime() throws Exception {
        drop("0005.xml", ncr);
        until(() -> Files.exists(spool.resolve("done").resolve("0005.xml")));
        Path old = Files.writeString(spool.resolve("done").resolve("0000.xml"), "taken long ago");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(8))));
        source.pruneDone();
        assertThat(old).doesNotExist();
        assertThat(spool.resolve("done").resolve("0005.xml")).as("taken just now, kept").exists();
    }
}
