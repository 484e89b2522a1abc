package io.storegw.drivers.ble;

/**
 * Input that is not what it claims to be (an HCI packet whose declared length overruns it, a btsnoop
 * file with a bad header, hex that is not hex): the one exception the BLE decoders throw.
 */
public final class BleFormatException extends RuntimeException {
    public BleFormatException(String message) {
        super(message);
    }
}
