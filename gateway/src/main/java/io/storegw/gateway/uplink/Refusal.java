package io.storegw.gateway.uplink;

/**
 * Why central's broker did not take a publish: its MQTT 5 reason code (PUBACK or DISCONNECT, or 149 for a packet
 * larger than the broker's Maximum Packet Size, which a client may not send; {@link #CLOSED} when the broker only
 * closed the connection) and the broker's reason string, if it gave one.
 */
record Refusal(int code, String reason) {

    /** No code: the broker closed the connection without saying why ({@link PoisonRows}). */
    static final int CLOSED = -1;

    /** MQTT 5 "Packet too large": what a broker says to a packet over its Maximum Packet Size. */
    static final int PACKET_TOO_LARGE = 0x95;

    /** A PUBACK's reason code at or above this is a refusal (MQTT 5, 3.4.2.1); below it, the broker has the message. */
    static final int FIRST_FAILURE = 0x80;

    /**
     * Whether the broker refuses this message whatever the moment, so sending it again would only be refused
     * again: its size, its topic or payload, or the gateway's rights on its topic. The others (quota exceeded,
     * a packet identifier in use, codes MQTT 5 does not define for PUBACK) may pass later.
     */
    boolean forGood() {
        return switch (code) {
            case CLOSED, 0x80, 0x83, 0x87, 0x90, 0x99, PACKET_TOO_LARGE -> true;
            default -> false;
        };
    }

    /**
     * Whether a broker's DISCONNECT with this code may be a packet's doing (malformed, refused, too large), rather
     * than the session's or the server's (taken over, shutting down, keep-alive, administrative action).
     */
    static boolean aboutAPacket(int disconnectCode) {
        return disconnectCode == 0x81 || disconnectCode == 0x82 // malformed packet, protocol error
                || disconnectCode >= FIRST_FAILURE && new Refusal(disconnectCode, null).forGood();
    }

    /** "not authorized (135): no rights on that topic", say. */
    String describe() {
        return name() + (code == CLOSED ? "" : " (" + code + ")") + (reason == null || reason.isBlank() ? "" : ": " + reason);
    }

    private String name() {
        return switch (code) {
            case CLOSED -> "connection closed";
            case 0x80 -> "unspecified error";
            case 0x83 -> "implementation specific error";
            case 0x87 -> "not authorized";
            case 0x90 -> "topic name invalid";
            case 0x91 -> "packet identifier in use";
            case PACKET_TOO_LARGE -> "packet too large";
            case 0x97 -> "quota exceeded";
            case 0x99 -> "payload format invalid";
            default -> "refused";
        };
    }
}
