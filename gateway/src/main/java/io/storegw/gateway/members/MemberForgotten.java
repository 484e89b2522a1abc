package io.storegw.gateway.members;

import io.storegw.gateway.core.Instruction;

/**
 * A member whose consent was revoked: every handler drops what it holds about them at once, without
 * publishing anything more about them (an open visit ends unreported).
 */
public record MemberForgotten(String member) implements Instruction {
}
