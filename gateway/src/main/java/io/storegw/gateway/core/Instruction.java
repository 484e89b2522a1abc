package io.storegw.gateway.core;

/**
 * Something the gateway is told to do (a technician's layout change now, central's commands later),
 * applied on the core loop in turn with the observations, so handlers change their state without locks.
 */
public interface Instruction {
}
