package io.storegw.gateway.layout;

import io.storegw.gateway.core.Instruction;

/**
 * Replaces the layout: applied by the handlers that depend on it, saved with a {@code gateway.layout} event.
 *
 * @param version the version the new layout becomes (one more than the one it was made from)
 * @param reason  what changed, in a technician's words ("zone entrance added")
 */
public record LayoutChange(long version, Layout layout, String reason) implements Instruction {
}
