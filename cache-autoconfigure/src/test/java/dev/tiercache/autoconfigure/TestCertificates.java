package dev.tiercache.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made for one test (BouncyCastle), which signs server certificates for
 * 127.0.0.1 and {@code localhost}: the trust material of TLS tests, written nowhere but a temporary
 * file.
 */
final class TestCertificates {

	private static final AtomicLong serials = new AtomicLong(System.currentTimeMillis());

	private final KeyPair keys;

	private final X509Certificate certificate;

	private TestCertificates(KeyPair keys, X509Certificate certificate) {
		this.keys = keys;
		this.certificate = certificate;
	}

	/** A new self-signed CA named {@code name}. */
	static TestCertificates authority(String name) {
		KeyPair keys = newKeys();
		X500Name subject = new X500Name("CN=" + name);
		X509v3CertificateBuilder builder = builder(subject, subject, keys);
		try {
			builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
		}
		catch (CertIOException ex) {
			throw new UncheckedIOException(ex);
		}
		return new TestCertificates(keys, sign(builder, keys));
	}

	/** A TLS server context whose certificate, for 127.0.0.1 and {@code localhost}, this CA signed. */
	SSLContext serverContext() {
		KeyPair serverKeys = newKeys();
		X509v3CertificateBuilder builder = builder(new X500Name(this.certificate.getSubjectX500Principal().getName()),
				new X500Name("CN=localhost"), serverKeys);
		try {
			builder.addExtension(Extension.subjectAlternativeName, false,
					new GeneralNames(new GeneralName[] { new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
							new GeneralName(GeneralName.dNSName, "localhost") }));
			X509Certificate server = sign(builder, this.keys);
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			char[] password = "test".toCharArray();
			store.setKeyEntry("server", serverKeys.getPrivate(), password,
					new Certificate[] { server, this.certificate });
			KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			keyManagers.init(store, password);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(keyManagers.getKeyManagers(), null, null);
			return context;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Writes the CA's certificate, PEM-encoded, to a new file in {@code directory}. */
	Path writeCertificate(Path directory) {
		try {
			Path file = Files.createTempFile(directory, "ca", ".pem");
			try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(out)) {
				pem.writeObject(this.certificate);
			}
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
		Instant now = Instant.now();
		return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(serials.incrementAndGet()),
				Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
				keys.getPublic());
	}

	private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuerKeys) {
		try {
			return new JcaX509CertificateConverter().getCertificate(
					builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate())));
		}
		catch (OperatorCreationException | GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static KeyPair newKeys() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			return generator.generateKeyPair();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
