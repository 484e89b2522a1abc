package io.storegw.gateway.uplink;

import io.storegw.drivers.Errors;
import java.io.EOFException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXReason;
import java.time.Duration;
import java.util.Set;
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

    /** Why a connect failed. */
    public static String ofConnect(Throwable failure) {
        if (failure instanceof MqttException m && m.getReasonCode() == MqttClientException.REASON_CODE_CLIENT_TIMEOUT) {
            return "no answer to the connection from the broker within " + CONNECT_WAIT_SECONDS + " s: the network or the broker is down";
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

    /** Any other failure: "Connection lost (EOFException)" is a close without an MQTT DISCONNECT, and says so. */
    static String of(Throwable failure) {
        return failure.getCause() instanceof EOFException
                ? "the broker closed the connection without saying why" : Errors.describe(failure);
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
