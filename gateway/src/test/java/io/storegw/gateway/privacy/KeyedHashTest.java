package io.storegw.gateway.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class KeyedHashTest {

    // HMAC-SHA256 under 32 zero bytes of "loyalty" 0x00 and the number, first 16 bytes, base64url
    // (computed with Python's hmac module).
    private static final String CARD_42 = "mKGFxQemL5ZDWDlg10s2_Q";
    private static final String CARD_43 = "Le-q6F9jeJ9NvDJi_km-Xg";

    @Test
    void aCardsReferenceIsItsKeyedHashWhicheverThreadAsksAndHowOften() throws Exception {
        KeyedHash hash = new KeyedHash(new byte[32]);
        assertThat(hash.loyalty("9000000000000042")).isEqualTo(CARD_42);
        assertThat(hash.loyalty("9000000000000043")).isEqualTo(CARD_43);
        // the thread's Mac is keyed once and left ready after every hash
        assertThat(hash.of("loyalty", "9000000000000042")).isEqualTo(CARD_42);
        assertThat(hash.of("loyalty", "9000000000000042")).isEqualTo(CARD_42);
        assertThat(CompletableFuture.supplyAsync(() -> hash.of("loyalty", "9000000000000043")).get()).isEqualTo(CARD_43);
        assertThat(hash.of("other", "9000000000000042")).as("another domain").isNotEqualTo(CARD_42).hasSize(22);
    }
}
