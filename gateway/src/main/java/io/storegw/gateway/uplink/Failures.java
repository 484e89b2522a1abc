package io.storegw.gateway.uplink;

import io.storegw.drivers.Errors;
import java.io.EOFException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXReason;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Why the uplink could not reach central's broker or lost it, in words for the person on call (the log, {@code /healthz},
 * {@code storegw status}, {@code storegw doctor}). Paho's own are "Unable to connect to server" with the JDK's cause in
 * brackets, which for a clock before the broker's certificate reads "PKIX path validation failed: ... validity check failed".
 */
public final class Failures {

    /** How long a connect waits for the broker's CONNACK. */
    static final int CONNECT_WAIT_SECONDS = 15;

    /** Paho's failures of what was in flight when the connection went, which say nothing of why it went. */
    private static final Set<Integer> LOSS_CONSEQUENCES = Set.of((int) MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED,
            (int) MqttClientException.REASON_CODE_CLIENT_DISCONNECTING, (int) MqttClientException.REASON_CODE_CONNECTION_LOST,
            (int) MqttClientException.REASON_CODE_CLIENT_CLOSED);

    private Failures() {
    }

    /** A failure that follows from the connection having gone: Paho tells why it went separately. */
    static boolean consequenceOfLoss(Throwable failure) {
        return failure instanceof MqttException m && LOSS_CONSEQUENCES.contains(m.getReasonCode());
    }

    /** Why a connect failed; {@code tls} when it was to an {@code ssl://} broker. */
    public static String ofConnect(Throwable failure, boolean tls) {
        if (failure instanceof MqttException m && m.getReasonCode() == MqttClientException.REASON_CODE_CLIENT_TIMEOUT) {
            return "no answer to the connection from the broker within " + CONNECT_WAIT_SECONDS + " s: the network or the broker is down";
        }
        String cut = tls ? cutInTlsHandshake(failure) : null;
        if (cut != null) {
            return cut;
        }
        if (!tls && find(failure, MqttException.class) instanceof MqttException m && m.getReasonCode() == MqttException.REASON_CODE_MALFORMED_PACKET) {
            // a TLS port answers an MQTT CONNECT with a TLS alert, which Paho reads as a broken packet
            return "the broker's answer is not MQTT (" + of(failure) + "): is it the broker's TLS port? tcp:// needs its plain MQTT port"
                    + " (usually 1883); for TLS (usually 8883) use ssl:// with uplink.tls.ca";
        }
        if (find(failure, UnknownHostException.class) instanceof UnknownHostException e) {
            return "cannot resolve the broker's name (" + e.getMessage() + "): the store's DNS is down, or uplink.broker is misspelt";
        }
        if (find(failure, CertificateNotYetValidException.class) instanceof CertificateNotYetValidException e) {
            return "the broker's certificate is not valid yet by this gateway's clock (" + e.getMessage()
                    + "): the clock is probably wrong (storegw status, timedatectl)";
        }
        if (find(failure, CertificateExpiredException.class) instanceof CertificateExpiredException e) {
            return "the broker's certificate, or a CA's above it, has expired (" + e.getMessage() + "), or this gateway's clock is ahead";
        }
        if (find(failure, CertPathBuilderException.class) != null || find(failure, CertPathValidatorException.class)
                instanceof CertPathValidatorException e && e.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
            return "the broker's certificate is not signed by the CA in uplink.tls.ca, or the broker sends no chain up to it";
        }
        return of(failure);
    }

    /**
     * A TLS connect that the other end cut off in the handshake, which is what a plain MQTT port does with a TLS hello
     * (Mosquitto resets the connection, HiveMQ closes it); null for any other failure.
     */
    public static String cutInTlsHandshake(Throwable failure) {
        boolean cut = find(failure, EOFException.class) != null
                || find(failure, SocketException.class) instanceof SocketException e && "Connection reset".equals(e.getMessage())
                || find(failure, SSLException.class) instanceof SSLException e && String.valueOf(e.getMessage()).contains("Unsupported or unrecognized SSL message");
        return cut ? "the broker's port does not answer in TLS (" + of(failure) + "): is it a plain MQTT port? ssl:// needs the broker's"
                + " TLS port (usually 8883; plain MQTT is usually 1883)" : null;
    }

    /** Paho ended the connection because the broker did not answer within the keep-alive, or nothing could be written for two. */
    static boolean lostToKeepAlive(MqttException cause) {
        return cause.getReasonCode() == MqttClientException.REASON_CODE_CLIENT_TIMEOUT
                || cause.getReasonCode() == MqttClientException.REASON_CODE_WRITE_TIMEOUT;
    }

    /** Why Paho says a connection ended. */
    static String ofLoss(MqttException cause, Duration keepAlive) {
        long seconds = keepAlive.toSeconds();
        return switch (cause.getReasonCode()) {
            case MqttClientException.REASON_CODE_CLIENT_TIMEOUT ->
                    "no answer from the broker within the keep-alive of " + seconds + " s: the network or the broker is down";
            case MqttClientException.REASON_CODE_WRITE_TIMEOUT ->
                    "nothing could be sent to the broker for " + 2 * seconds + " s (twice the keep-alive):"
                            + " the network or the broker is down";
            default -> of(cause);
        };
    }

    /**
     * Any other failure: "Connection lost (EOFException)" is a close without an MQTT DISCONNECT, and says so; Paho's
     * "Untranslated MqttException - RC: 0" (any exception of the JDK's) says nothing its cause does not.
     */
    static String of(Throwable failure) {
        if (failure.getCause() instanceof EOFException) {
            return "the broker closed the connection without saying why";
        }
        return failure instanceof MqttException m && m.getReasonCode() == MqttException.REASON_CODE_CLIENT_EXCEPTION
                && m.getCause() != null ? Errors.describe(m.getCause()) : Errors.describe(failure);
    }

    private static Throwable find(Throwable failure, Class<? extends Throwable> kind) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (kind.isInstance(t)) {
                return t;
            }
        }
        return null;
    }
}
