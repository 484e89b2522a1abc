package io.storegw.drivers.pos;

/** One JSON dialect: turns a document's bytes into the transactions it holds. */
interface JsonProfile {

    PosDocument read(byte[] body, PosSettings settings) throws PosFormatException;
}
