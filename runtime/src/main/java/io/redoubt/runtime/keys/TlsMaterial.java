package io.redoubt.runtime.keys;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The deployment's TLS material: one CA, and per server a certificate it signs, so that a server
 * accepts exactly the peers holding a certificate of this deployment (Artery's mutual TLS,
 * DEPENDENCIES.md). ECDSA P-256 throughout: every JDK TLS 1.3 stack supports it. Keys and
 * signatures are made by the JDK's own providers; BouncyCastle only builds the certificates.
 */
final class TlsMaterial {
    static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    static final String KEY_ALIAS = "server";
    static final String CA_ALIAS = "redoubt-ca";

    private TlsMaterial() {}

    record Ca(X509Certificate certificate, PrivateKey privateKey) {}

    static KeyPair ecKeyPair(SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
        return g.generateKeyPair();
    }

    /** A self-signed CA that may sign server certificates and nothing below them (path length 0). */
    static Ca newCa(String name, Instant now, Duration validity, SecureRandom random) throws GeneralSecurityException {
        KeyPair pair = ecKeyPair(random);
        X500Name subject = new X500Name("CN=" + name);
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(random), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(validity)), subject, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            return new Ca(sign(b, pair.getPrivate(), random), pair.getPrivate());
        } catch (CertIOException e) {
            throw new GeneralSecurityException("could not build the CA certificate", e);
        }
    }

    /**
     * A certificate for one server's TLS key: subject CN={@code commonName}, names the server
     * answers to in the subject alternative names (DNS names, or IP literals), usable both to
     * serve and to connect, as mutual TLS needs.
     */
    static X509Certificate serverCertificate(Ca ca, String commonName, List<String> hosts, java.security.PublicKey key, Instant now,
                                             Duration validity, SecureRandom random) throws GeneralSecurityException {
        List<GeneralName> names = new ArrayList<>();
        for (String host : hosts) names.add(isIpLiteral(host) ? new GeneralName(GeneralName.iPAddress, host) : new GeneralName(GeneralName.dNSName, host));
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate(), serial(random),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), new X500Name("CN=" + commonName), key)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.certificate()))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
            return sign(b, ca.privateKey(), random);
        } catch (CertIOException e) {
            throw new GeneralSecurityException("could not build the certificate of " + commonName, e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer, SecureRandom random) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).setSecureRandom(random).build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("no " + SIGNATURE_ALGORITHM + " signer", e);
        }
    }

    /** RFC 5280: a positive serial of at most 20 bytes, unpredictable so certificates cannot be guessed. */
    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(127, random).setBit(126);
    }

    /** An IPv4 or IPv6 literal, recognized without a DNS lookup. */
    static boolean isIpLiteral(String host) {
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (host.contains(":") && host.matches("[0-9A-Fa-f:.]+"));
    }

    static byte[] pkcs12(String alias, PrivateKey key, Certificate[] chain, char[] password) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(alias, key, password, chain);
        return store(ks, password);
    }

    static byte[] trustStore(X509Certificate ca, char[] password) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry(CA_ALIAS, ca);
        return store(ks, password);
    }

    private static byte[] store(KeyStore ks, char[] password) throws GeneralSecurityException, IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ks.store(out, password);
        return out.toByteArray();
    }

    static String pem(X509Certificate c) throws GeneralSecurityException {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).encodeToString(c.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    /** A store password: 24 random bytes, URL-safe Base64 so it survives any config file. */
    static String password(SecureRandom random) {
        byte[] b = new byte[24];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
