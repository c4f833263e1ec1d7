package io.tandem.tls.pem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.TestCerts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {
  @TempDir
  static Path dir;
  static TestCerts certs;
  static TestCerts.Pair ec;
  static TestCerts.Pair rsa;

  @BeforeAll
  static void makeCertificates() {
    certs = TestCerts.create(dir);
    ec = certs.leaf("ec", "a.tandem.test", "*.b.tandem.test");
    rsa = certs.leaf("rsa", "rsa", 3650, "r.tandem.test");
  }

  @Test
  void loadsChainsAndEveryKeyShapeOpensslWrites() throws Exception {
    KeyCertificate a = PemFiles.load(ec.cert(), ec.key(), Instant.now());
    assertEquals(List.of("a.tandem.test", "*.b.tandem.test"), a.names());
    assertEquals(2, a.chain().size(), "leaf and CA");
    assertEquals("EC", a.keyType());
    assertEquals("EC", PemFiles.load(ec.cert(), certs.traditionalKey(ec.key(), "ec-sec1.key"), Instant.now()).keyType());
    assertEquals("RSA", PemFiles.load(rsa.cert(), rsa.key(), Instant.now()).keyType());
    assertTrue(Files.readString(certs.traditionalKey(rsa.key(), "rsa1.key")).contains("BEGIN RSA PRIVATE KEY"));
    assertEquals("RSA", PemFiles.load(rsa.cert(), dir.resolve("rsa1.key"), Instant.now()).keyType());
  }

  @Test
  void refusesWithFileFieldAndProblem() throws Exception {
    Path missing = dir.resolve("missing.crt");
    assertProblem("cert", missing + ": file not found", () -> PemFiles.load(missing, ec.key(), Instant.now()));
    assertProblem("cert", ec.key() + ": no PEM certificate (-----BEGIN CERTIFICATE-----) found",
        () -> PemFiles.load(ec.key(), ec.key(), Instant.now()));
    assertProblem("key", ec.cert() + ": no PEM private key (-----BEGIN PRIVATE KEY-----) found",
        () -> PemFiles.load(ec.cert(), ec.cert(), Instant.now()));
    assertProblem("key", rsa.key() + ": does not match the certificate in " + ec.cert() + " (CN=a.tandem.test)",
        () -> PemFiles.load(ec.cert(), rsa.key(), Instant.now()));
    Path garbage = dir.resolve("garbage.crt");
    Files.writeString(garbage, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    CertificateProblem p = assertThrows(CertificateProblem.class, () -> PemFiles.load(garbage, ec.key(), Instant.now()));
    assertTrue(p.getMessage().startsWith(garbage + ": not a valid X.509 certificate: "), p.getMessage());
    Path cut = dir.resolve("cut.crt");
    Files.writeString(cut, "-----BEGIN CERTIFICATE-----\nAAAA\n");
    assertProblem("cert", cut + ": unterminated PEM block CERTIFICATE (no \"-----END CERTIFICATE-----\")",
        () -> PemFiles.load(cut, ec.key(), Instant.now()));
    Path encrypted = dir.resolve("enc.key");
    Files.writeString(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    assertProblem("key", encrypted + ": the private key is encrypted; Tandem needs it unencrypted (openssl pkey -in KEY"
        + " -out PLAIN), protected by file permissions", () -> PemFiles.load(ec.cert(), encrypted, Instant.now()));
    Path badKey = dir.resolve("bad.key");
    Files.writeString(badKey, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assertProblem("key", badKey + ": not a valid private key (PRIVATE KEY): not a readable "
        + "RSA/EC/Ed25519/Ed448/RSASSA-PSS private key", () -> PemFiles.load(ec.cert(), badKey, Instant.now()));
  }

  @Test
  void refusesCertificatesOutsideTheirValidity() throws Exception {
    KeyCertificate a = PemFiles.load(ec.cert(), ec.key(), Instant.now());
    Instant notAfter = a.leaf().getNotAfter().toInstant();
    Instant notBefore = a.leaf().getNotBefore().toInstant();
    assertProblem("cert", ec.cert() + ": certificate expired on " + notAfter + " (CN=a.tandem.test)",
        () -> PemFiles.load(ec.cert(), ec.key(), notAfter.plusSeconds(1)));
    assertProblem("cert", ec.cert() + ": certificate is not valid before " + notBefore + " (CN=a.tandem.test)",
        () -> PemFiles.load(ec.cert(), ec.key(), notBefore.minusSeconds(1)));
    TestCerts.Pair expired = certs.leaf("expired", "ec", -1, "old.tandem.test");
    CertificateProblem p = assertThrows(CertificateProblem.class,
        () -> PemFiles.load(expired.cert(), expired.key(), Instant.now()));
    assertTrue(p.getMessage().startsWith(expired.cert() + ": certificate expired on "), p.getMessage());
  }

  @Test
  void readsCaBundles() throws Exception {
    assertEquals(1, PemFiles.caBundle(certs.caCert(), "client-ca", Instant.now()).size());
    assertProblem("client-ca", ec.key() + ": no PEM CA certificate (-----BEGIN CERTIFICATE-----) found",
        () -> PemFiles.caBundle(ec.key(), "client-ca", Instant.now()));
  }

  private interface Load {
    Object run() throws Exception;
  }

  private static void assertProblem(String field, String message, Load load) {
    CertificateProblem p = assertThrows(CertificateProblem.class, load::run);
    assertEquals(message, p.getMessage());
    assertEquals(field, p.field());
  }
}
