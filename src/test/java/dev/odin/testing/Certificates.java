package dev.odin.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI for the TLS tests: a CA, a server certificate for 127.0.0.1 and localhost, and
 * client certificates, written as PEM files (keys as PKCS#8) the way an operator would mount them.
 */
public final class Certificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate and its key, as PEM files. */
    public record Pem(Path cert, Path key) {
        public byte[] certBytes() throws IOException {
            return Files.readAllBytes(cert);
        }

        public byte[] keyBytes() throws IOException {
            return Files.readAllBytes(key);
        }
    }

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate caCert;
    private final Pem ca;

    /** A new CA named {@code name}, its files in {@code dir}. */
    public Certificates(Path dir, String name) throws Exception {
        this.dir = Files.createDirectories(dir);
        this.caKeys = keys();
        X500Name subject = new X500Name("CN=" + name);
        X509v3CertificateBuilder b = builder(subject, subject, caKeys);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        this.caCert = sign(b, caKeys.getPrivate());
        this.ca = write(name, caCert, caKeys.getPrivate());
    }

    public Pem ca() {
        return ca;
    }

    /** A server certificate for 127.0.0.1 and localhost. */
    public Pem server(String name) throws Exception {
        KeyPair keys = keys();
        X509v3CertificateBuilder b = builder(new X500Name(caCert.getSubjectX500Principal().getName()),
                new X500Name("CN=" + name), keys);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        return write(name, sign(b, caKeys.getPrivate()), keys.getPrivate());
    }

    /** A client certificate. */
    public Pem client(String name) throws Exception {
        KeyPair keys = keys();
        X509v3CertificateBuilder b = builder(new X500Name(caCert.getSubjectX500Principal().getName()),
                new X500Name("CN=" + name), keys);
        return write(name, sign(b, caKeys.getPrivate()), keys.getPrivate());
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)), subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }

    private Pem write(String name, X509Certificate cert, PrivateKey key) throws IOException {
        Path certFile = dir.resolve(name + ".crt");
        Path keyFile = dir.resolve(name + ".key");
        Files.writeString(certFile, pem(cert));
        Files.writeString(keyFile, pem(new JcaPKCS8Generator(key, null)));
        return new Pem(certFile, keyFile);
    }

    private static String pem(Object o) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(o);
        }
        return s.toString();
    }
}
