package io.storegw.gateway.uplink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/** Builds the uplink's TLS from the PEM files technicians are handed (CA, client certificate, PKCS#8 key). */
public final class PemTls {

    private PemTls() {
    }

    /**
     * A socket factory trusting {@code ca} (or the JDK's CAs when null), presenting {@code cert}/{@code key}
     * when both are given (mutual TLS).
     */
    public static SSLSocketFactory socketFactory(Path ca, Path cert, Path key) throws IOException, GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (ca == null) {
            tmf.init((KeyStore) null);
        } else {
            KeyStore trust = emptyStore();
            int i = 0;
            for (Certificate c : certificates(ca)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            tmf.init(trust);
        }
        KeyManagerFactory kmf = null;
        if (cert != null && key != null) {
            KeyStore identity = emptyStore();
            char[] none = new char[0];
            identity.setKeyEntry("client", privateKey(key), none, certificates(cert).toArray(Certificate[]::new));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(identity, none);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context.getSocketFactory();
    }

    private static KeyStore emptyStore() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        return store;
    }

    private static Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new GeneralSecurityException(pem + " holds no certificate");
            }
            return certs;
        }
    }

    private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new GeneralSecurityException(pem + " is not an unencrypted PKCS#8 key; convert it with: "
                    + "openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der(pem, "PRIVATE KEY"));
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException(pem + ": not an RSA, EC or Ed25519 key", last);
    }

    /** The DER bytes of the first {@code -----BEGIN label-----} block of a PEM file. */
    public static byte[] der(Path pem, String label) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + label + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf("-----END " + label + "-----");
        if (from < 0 || to < from) {
            throw new GeneralSecurityException(pem + " holds no PEM block " + begin);
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException(pem + ": the " + label + " block is not base64", e);
        }
    }
}
