package io.storegw.gateway.command;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** A command central signed, as verified: its name, when it was issued, its one-time nonce and its body. */
public record SignedCommand(String name, Instant issued, String nonce, JsonNode body) {
}
