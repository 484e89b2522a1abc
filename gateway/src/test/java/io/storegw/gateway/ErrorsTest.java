package io.storegw.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/** One line that says what failed, also where NIO's message is a path alone and where there is no message. */
class ErrorsTest {

    @Test
    void aFileErrorSaysWhatIsWrongWithThePath() {
        assertThat(Errors.describe(new NoSuchFileException("/proc/.storegw.yaml.new"))).isEqualTo("/proc/.storegw.yaml.new: no such file or directory");
        assertThat(Errors.describe(new IOException("cannot open the outbox", new AccessDeniedException("/var/lib/storegw/outbox.mv"))))
                .isEqualTo("cannot open the outbox (/var/lib/storegw/outbox.mv: permission denied)");
        assertThat(Errors.describe(new java.nio.file.FileAlreadyExistsException("/var/lib/storegw")))
                .isEqualTo("/var/lib/storegw: exists already (a file where a directory should be?)");
        assertThat(Errors.describe(new AccessDeniedException("/etc/storegw/x", null, "Read-only file system")))
                .isEqualTo("/etc/storegw/x: Read-only file system");
    }

    @Test
    void aFailureWithoutAMessageIsNamedByItsKind() {
        assertThat(Errors.describe(new EOFException())).isEqualTo("EOFException");
        assertThat(Errors.describe(new IOException("the broker went", new EOFException()))).isEqualTo("the broker went (EOFException)");
    }
}
