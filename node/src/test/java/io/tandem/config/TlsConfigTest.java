package io.tandem.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tandem.testing.TestCerts;
import io.tandem.tls.engine.TlsEngine;
import io.tandem.tls.ocsp.CertId;
import io.tandem.tls.ocsp.OcspResponses;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsConfigTest {
  @TempDir
  static Path dir;
  static TestCerts certs;
  static TestCerts.Pair a;
  static TestCerts.Pair b;

  @BeforeAll
  static void makeCertificates() {
    certs = TestCerts.create(dir);
    a = certs.leaf("a", "a.tandem.test");
    b = certs.leaf("b", "b.tandem.test", "*.b.tandem.test");
  }

  private static String cert(TestCerts.Pair p) {
    return "{cert: \"" + p.cert() + "\", key: \"" + p.key() + "\"}";
  }

  @Test
  void readsEverySettingWithDefaults() {
    TandemConfig c = ConfigTexts.parses(ConfigTexts.listener("tls:\n  certificates: [" + cert(a) + ", " + cert(b)
        + "]\n  default: b.tandem.test\n  ciphers: [TLS_AES_128_GCM_SHA256]\n  client-auth: optional\n"
        + "  client-ca: \"" + certs.caCert() + "\"\n  hsts: {max-age: 1d, include-subdomains: true}\n"
        + "  engine: jdk\n  reload-interval: 2s\n"));
    TlsConfig tls = c.listeners().get(0).tls();
    assertEquals(List.of(a.cert(), b.cert()), tls.certificates().stream().map(TlsConfig.CertificateFiles::cert).toList());
    assertEquals("b.tandem.test", tls.defaultName());
    assertEquals(List.of("TLSv1.2", "TLSv1.3"), tls.protocols());
    assertEquals(List.of("h2", "http/1.1"), tls.alpn());
    assertEquals(TlsConfig.ClientAuth.OPTIONAL, tls.clientAuth());
    assertEquals("max-age=86400; includeSubDomains", tls.hsts().headerValue());
    assertEquals(TlsConfig.Engine.JDK, tls.engine());
    assertEquals(Duration.ofSeconds(2), tls.reloadInterval());
    assertNull(ConfigTexts.parses(ConfigTexts.LISTENER + ConfigTexts.POOL).listeners().get(0).tls());

    TandemConfig p = ConfigTexts.parses(ConfigTexts.pool("tls: {ca: \"" + certs.caCert() + "\", server-name: api.internal}"));
    assertEquals(new BackendTlsConfig(certs.caCert(), "api.internal", false), p.pools().get(0).tls());
    assertEquals(443, ConfigTexts.parses(ConfigTexts.listener("redirect-to-https: 443")).listeners().get(0)
        .redirectToHttps());
  }

  @Test
  void cipherSuitesAreCheckedAgainstTheListenersEngine() {
    String dhe = "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256";
    assertEquals(List.of(dhe), ConfigTexts.parses(ConfigTexts.listener("tls: {certificates: [" + cert(a)
        + "], engine: jdk, ciphers: [" + dhe + "]}")).listeners().get(0).tls().ciphers());
    assumeTrue(TlsEngine.auto() == TlsEngine.OPENSSL, "netty-tcnative (OpenSSL) does not load here");
    assertEquals(List.of("listeners[0].tls.ciphers[1]: unknown cipher suite \"" + dhe + "\" for the openssl engine"
        + " (BoringSSL has no DHE suites); use IANA names such as TLS_AES_128_GCM_SHA256 or"
        + " TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
        ConfigTexts.errors(ConfigTexts.listener("tls: {certificates: [" + cert(a) + "], engine: openssl, ciphers: ["
            + "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, " + dhe + "]}")));
  }

  @Test
  void readsOcspStapling() throws Exception {
    TestCerts.Pair aia = certs.leafWithOcsp("aia", "http://127.0.0.1:9/ocsp", "aia.tandem.test");
    TlsConfig fetch = ConfigTexts.parses(ConfigTexts.listener("tls: {certificates: [" + cert(aia)
        + "], ocsp: {stapling: true, refresh-before: 1h}}")).listeners().get(0).tls();
    assertEquals(new TlsConfig.Ocsp(true, null, null, Duration.ofHours(1)), fetch.ocsp());
    assertTrue(fetch.ocsp().fetches());
    TlsConfig override = ConfigTexts.parses(ConfigTexts.listener("tls: {certificates: [" + cert(a)
        + "], ocsp: {stapling: true, responder: \"http://ocsp.tandem.test:8080/x\"}}")).listeners().get(0).tls();
    assertEquals(java.net.URI.create("http://ocsp.tandem.test:8080/x"), override.ocsp().responder());
    Path file = goodResponseFor(a, "a.ocsp");
    TlsConfig fromFile = ConfigTexts.parses(ConfigTexts.listener("tls: {certificates: [" + cert(b) + ", " + cert(a)
        + "], ocsp: {file: \"" + file + "\"}}")).listeners().get(0).tls();
    assertEquals(new TlsConfig.Ocsp(true, file, null, null), fromFile.ocsp());
    assertEquals(TlsConfig.Ocsp.OFF, ConfigTexts.parses(ConfigTexts.listener("tls: {certificates: [" + cert(a)
        + "], ocsp: {stapling: false}}")).listeners().get(0).tls().ocsp());
    assertEquals(TlsConfig.Ocsp.OFF, ConfigTexts.parses(ConfigTexts.listener("tls: {certificates: [" + cert(a)
        + "]}")).listeners().get(0).tls().ocsp());
  }

  @Test
  void badOcspSettingsAreReported() throws Exception {
    String tls = "tls: {certificates: [" + cert(a) + "], ";
    assertEquals(List.of(
        "listeners[0].tls.ocsp.file: applies only with stapling: true",
        "listeners[0].tls.ocsp.responder: applies only with stapling: true"),
        ConfigTexts.errors(ConfigTexts.listener(tls + "ocsp: {stapling: false, file: x.der, responder: "
            + "\"http://r.test/\"}}")));
    assertEquals(List.of(
        "listeners[0].tls.ocsp.responder: must be an http:// or https:// URL, got \"ftp://r.test/\"",
        "listeners[0].tls.ocsp.refresh-before: must be positive, got \"0s\"",
        "listeners[0].tls.ocsp.stapling: needs the openssl engine; the JDK's cannot staple (engine is jdk)",
        "listeners[0].tls.certificates[0].cert: " + a.cert() + ": names no OCSP responder (Authority Information "
            + "Access) to fetch from; set ocsp.responder, or ocsp.stapling: false"),
        ConfigTexts.errors(ConfigTexts.listener(tls + "engine: jdk, ocsp: {stapling: true, responder: "
            + "\"ftp://r.test/\", refresh-before: 0s}}")));
    Path good = goodResponseFor(a, "a2.ocsp");
    assertEquals(List.of(
        "listeners[0].tls.ocsp.responder: applies to fetched responses; this listener staples " + good,
        "listeners[0].tls.ocsp.refresh-before: applies to fetched responses; a file is read again when it changes"),
        ConfigTexts.errors(ConfigTexts.listener(tls + "ocsp: {file: \"" + good + "\", responder: \"http://r.test/\","
            + " refresh-before: 1h}}")));
    Path missing = dir.resolve("missing.ocsp");
    Path garbage = java.nio.file.Files.write(dir.resolve("garbage.ocsp"), "<html>".getBytes(UTF_8));
    Path tryLater = java.nio.file.Files.write(dir.resolve("later.ocsp"), OcspResponses.status(3));
    Path other = goodResponseFor(b, "b.ocsp");
    assertEquals("listeners[0].tls.ocsp.file: " + missing + ": file not found", ocspFileError(missing));
    assertEquals("listeners[0].tls.ocsp.file: " + garbage + ": not a DER OCSP response: length 104 at byte 0 runs past"
        + " the end (4 bytes left)",
        ocspFileError(garbage));
    assertEquals("listeners[0].tls.ocsp.file: " + tryLater + ": the OCSP response's status is tryLater, not "
        + "successful", ocspFileError(tryLater));
    String serial = certificate(a.cert()).getSerialNumber().toString(16);
    assertEquals("listeners[0].tls.ocsp.file: " + other + ": is about none of the listener's certificates (serial "
        + "numbers " + serial + ", each with the issuer that follows it in its file)", ocspFileError(other));
  }

  private String ocspFileError(Path file) {
    List<String> errors = ConfigTexts.errors(ConfigTexts.listener("tls: {certificates: [" + cert(a)
        + "], ocsp: {file: \"" + file + "\"}}"));
    assertEquals(1, errors.size(), errors::toString);
    return errors.get(0);
  }

  /** A (made-up, unsigned) good OCSP response for {@code p}'s certificate, valid a day. */
  private static Path goodResponseFor(TestCerts.Pair p, String name) throws Exception {
    X509Certificate leaf = certificate(p.cert());
    CertId id = CertId.of(leaf, certificate(certs.caCert()), CertId.SHA1);
    Instant now = Instant.now();
    return java.nio.file.Files.write(dir.resolve(name), OcspResponses.basic(OcspResponses.single(id,
        OcspResponses.GOOD, now.minusSeconds(60), now.plus(Duration.ofDays(1)))));
  }

  private static X509Certificate certificate(Path file) throws Exception {
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  @Test
  void badCertificatesAreConfigErrorsNamingFieldFileAndProblem() {
    Path missing = dir.resolve("missing.crt");
    assertEquals(List.of(
        "listeners[0].tls.certificates[0].cert: " + missing + ": file not found",
        "listeners[0].tls.certificates[1].key: " + b.key() + ": does not match the certificate in " + a.cert()
            + " (CN=a.tandem.test)"),
        ConfigTexts.errors(ConfigTexts.listener("tls:\n  certificates:\n    - {cert: \"" + missing + "\", key: \""
            + a.key() + "\"}\n    - {cert: \"" + a.cert() + "\", key: \"" + b.key() + "\"}\n")));
  }

  @Test
  void badSettingsAreReported() {
    assertEquals(List.of(
        "listeners[0].tls.certificates: at least one {cert, key} is required",
        "listeners[0].tls.protocols[0]: must be a TLS version (TLSv1.2 or TLSv1.3), got \"TLSv1.1\"",
        "listeners[0].tls.protocols: must enable at least one of TLSv1.2, TLSv1.3",
        "listeners[0].tls.engine: must be one of: auto, openssl, jdk; got \"boring\"",
        "listeners[0].tls.ciphers[0]: unknown cipher suite \"RC4-MD5\" for the " + TlsEngine.auto().spelling()
            + " engine; use IANA names such as TLS_AES_128_GCM_SHA256 or TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "listeners[0].tls.alpn[0]: must be h2 or http/1.1, got \"spdy/3\"",
        "listeners[0].tls.client-ca: is required with client-auth required"),
        ConfigTexts.errors(ConfigTexts.listener("tls: {protocols: [TLSv1.1], ciphers: [RC4-MD5], alpn: [spdy/3],"
            + " client-auth: required, engine: boring}")));
    assertEquals(List.of(
        "listeners[0].tls.client-ca: applies only with client-auth optional or required",
        "listeners[0].tls.default: names no certificate; the certificates are for: a.tandem.test",
        "listeners[0].tls: unknown key \"hsst\"; expected one of: certificates, default, protocols, ciphers, alpn, "
            + "client-auth, client-ca, hsts, engine, reload-interval, ocsp"),
        ConfigTexts.errors(ConfigTexts.listener("tls: {certificates: [" + cert(a) + "], default: b.tandem.test, "
            + "client-ca: \"" + certs.caCert() + "\", hsst: {}}")).stream().sorted().toList());
    assertEquals(List.of("listeners[0].redirect-to-https: applies to plain HTTP listeners only; this listener has tls"),
        ConfigTexts.errors(ConfigTexts.listener("redirect-to-https: 443\ntls: {certificates: [" + cert(a) + "]}")));
    assertEquals(List.of("listeners[0].routes: match.sni needs a listener with tls (route to pool \"app\")"),
        ConfigTexts.errors(ConfigTexts.listener("routes: [{match: {sni: [a.tandem.test]}, pool: app}]")));
    assertEquals(List.of(
        "pools[0].tls.trust-all: set ca or trust-all, not both",
        "pools[0].tls.server-name: must be a host name, not a wildcard"),
        ConfigTexts.errors(ConfigTexts.pool("tls: {ca: \"" + certs.caCert() + "\", trust-all: true, server-name: \"*.x.y\"}"))
            .stream().sorted(java.util.Comparator.reverseOrder()).toList());
    assertEquals(List.of("pools[0].tls.ca: " + a.key() + ": no PEM CA certificate (-----BEGIN CERTIFICATE-----) found"),
        ConfigTexts.errors(ConfigTexts.pool("tls: {ca: \"" + a.key() + "\"}")));
  }
}
