package io.storegw.gateway.members;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nonces in the member table: kept while a replay could still pass as fresh, forgotten with a later command after that. */
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
}
