package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tandem.testing.TestTls;
import io.tandem.config.TlsConfig;
import io.tandem.testing.TestCerts;
import io.tandem.tls.engine.TlsEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The suites an HTTPS listener offers without {@code ciphers} (Mozilla's "intermediate": AEAD only) and with a TLS 1.2
 * list, on both engines, asked by real clients: the JDK's SSLSocket with chosen suites and {@code openssl s_client}.
 */
class TlsCipherDefaultsTest extends ProxyTestBase {
  private static final List<String> CBC = List.of("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
      "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");

  @TempDir
  static Path dir;
  static TestCerts.Pair ec;
  static TestCerts.Pair rsa;

  @Override
  protected int eventLoops() {
    return 1;
  }

  @BeforeAll
  static void makeCertificates() {
    TestCerts certs = TestCerts.create(dir);
    ec = certs.leaf("ec", "ec.tandem.test");
    rsa = certs.leaf("rsa", "rsa", 3650, "rsa.tandem.test");
  }

  private void startTls(TlsConfig.Engine engine, List<String> ciphers) throws Exception {
    assumeTrue(engine != TlsConfig.Engine.OPENSSL || TlsEngine.auto() == TlsEngine.OPENSSL,
        "netty-tcnative (OpenSSL) does not load here");
    TlsConfig tls = new TlsConfig(List.of(new TlsConfig.CertificateFiles(ec.cert(), ec.key()),
        new TlsConfig.CertificateFiles(rsa.cert(), rsa.key())), null, TlsConfig.DEFAULT_PROTOCOLS, ciphers,
        TlsConfig.DEFAULT_ALPN, TlsConfig.ClientAuth.NONE, null, null, engine, Duration.ofSeconds(5));
    start(config(eventLoops(), listener("web").tls(tls), pool("app").backend("b1", backend("b1").port())));
  }

  @ParameterizedTest
  @EnumSource(value = TlsConfig.Engine.class, names = {"OPENSSL", "JDK"})
  void defaultsRefuseCbcSuitesAndKeepTls13(TlsConfig.Engine engine) throws Exception {
    startTls(engine, List.of());
    assertEquals("TLS_AES_128_GCM_SHA256", handshake("TLSv1.3", List.of("TLS_AES_128_GCM_SHA256"), "ec.tandem.test"));
    assertEquals("TLS_CHACHA20_POLY1305_SHA256",
        handshake("TLSv1.3", List.of("TLS_CHACHA20_POLY1305_SHA256"), "ec.tandem.test"));
    assertThrows(SSLException.class, () -> handshake("TLSv1.2", CBC, "ec.tandem.test"), "CBC with an EC key");
    assertThrows(SSLException.class, () -> handshake("TLSv1.2", CBC, "rsa.tandem.test"), "CBC with an RSA key");
    for (String suite : List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256")) {
      assertEquals(suite, handshake("TLSv1.2", List.of(suite), "ec.tandem.test"));
    }
    assertEquals("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        handshake("TLSv1.2", List.of("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"), "rsa.tandem.test"));
  }

  @ParameterizedTest
  @EnumSource(value = TlsConfig.Engine.class, names = {"OPENSSL", "JDK"})
  void aTls12ListLeavesTls13On(TlsConfig.Engine engine) throws Exception {
    startTls(engine, List.of("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"));
    assertEquals("TLS_AES_256_GCM_SHA384", handshake("TLSv1.3", List.of("TLS_AES_256_GCM_SHA384"), "ec.tandem.test"));
    assertEquals("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", handshake("TLSv1.2",
        List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
        "ec.tandem.test"));
    assertThrows(SSLException.class, () -> handshake("TLSv1.2", List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
        "ec.tandem.test"), "a suite not in the configured list");
  }

  @ParameterizedTest
  @EnumSource(value = TlsConfig.Engine.class, names = {"OPENSSL", "JDK"})
  void opensslSClientSeesNoCbcSuite(TlsConfig.Engine engine) throws Exception {
    startTls(engine, List.of());
    String cbc = sClient("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA");
    assertFalse(cbc.contains("Cipher is ECDHE"), cbc);
    String gcm = sClient("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256");
    assertTrue(gcm.contains("Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"), gcm);
    String tls13 = sClient("-tls1_3");
    assertTrue(tls13.contains("New, TLSv1.3, Cipher is TLS_"), tls13);
  }

  /** The suite negotiated by a JDK client offering only {@code suites} over {@code protocol}. */
  private String handshake(String protocol, List<String> suites, String sni) throws Exception {
    try (SSLSocket s = (SSLSocket) TestTls.trusting().getSocketFactory().createSocket("127.0.0.1", port())) {
      s.setSoTimeout(10_000);
      s.setEnabledProtocols(new String[] {protocol});
      s.setEnabledCipherSuites(suites.toArray(String[]::new));
      javax.net.ssl.SSLParameters params = s.getSSLParameters();
      params.setServerNames(List.of(new javax.net.ssl.SNIHostName(sni)));
      s.setSSLParameters(params);
      s.startHandshake();
      assertEquals(protocol, s.getSession().getProtocol());
      return s.getSession().getCipherSuite();
    }
  }

  /** What {@code openssl s_client} prints for one connection (it exits 1 when the handshake fails). */
  private String sClient(String... args) {
    assumeTrue(TestCerts.available("openssl"), "openssl is not installed");
    List<String> cmd = new ArrayList<>(List.of("sh", "-c",
        "openssl s_client -connect 127.0.0.1:" + port() + " -servername ec.tandem.test " + String.join(" ", args)
            + " </dev/null 2>&1; true"));
    return TestCerts.run(cmd.toArray(String[]::new));
  }
}
