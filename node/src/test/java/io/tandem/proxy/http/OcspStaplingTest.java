package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tandem.testing.TestTls;
import io.tandem.config.TlsConfig;
import io.tandem.testing.LogCapture;
import io.tandem.testing.TestCerts;
import io.tandem.tls.OcspStatus;
import io.tandem.tls.ServerTls;
import io.tandem.tls.engine.TlsEngine;
import io.tandem.tls.ocsp.OcspResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OCSP stapling on an HTTPS listener, against a real responder ({@code openssl ocsp}, which needs a fixed port: a free
 * one is picked; it serves one connection at a time, so {@code -timeout} ends the keep-alive ones the nodes' HTTP
 * clients leave open) and checked with {@code openssl s_client -status}: responses fetched from the certificate's responder
 * (Authority Information Access), one per SNI certificate, a revoked status, a responder that is down, and a response
 * read from a file and read again when it changes.
 */
class OcspStaplingTest extends ProxyTestBase {
  private static final DateTimeFormatter INDEX_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");

  @TempDir
  static Path dir;
  static TestCerts certs;
  static TestCerts.Pair good;
  static TestCerts.Pair other;
  static TestCerts.Pair revoked;
  static Process responder;
  static int responderPort;

  @Override
  protected int eventLoops() {
    return 2;
  }

  @BeforeAll
  static void startResponder() throws Exception {
    certs = TestCerts.create(dir);
    assumeTrue(TlsEngine.auto() == TlsEngine.OPENSSL, "netty-tcnative (OpenSSL) does not load here: no stapling");
    try (ServerSocket free = new ServerSocket(0)) {
      responderPort = free.getLocalPort();
    }
    String url = "http://127.0.0.1:" + responderPort;
    good = certs.leafWithOcsp("good", url, "good.tandem.test");
    other = certs.leafWithOcsp("other", url, "other.tandem.test");
    revoked = certs.leafWithOcsp("revoked", url, "revoked.tandem.test");
    Path index = dir.resolve("index.txt");
    Files.writeString(index, indexLine(good, null) + indexLine(other, null) + indexLine(revoked, "R"));
    Path log = dir.resolve("responder.log");
    responder = new ProcessBuilder("openssl", "ocsp", "-index", index.toString(), "-port",
        Integer.toString(responderPort), "-rsigner", certs.caCert().toString(), "-rkey", certs.caKey().toString(),
        "-CA", certs.caCert().toString(), "-ndays", "1", "-timeout", "2")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    // Not by connecting: a connection closed without a request stops openssl 3.0's responder for good.
    await().atMost(Duration.ofSeconds(20))
        .until(() -> Files.readString(log).contains("waiting for OCSP client connections"));
  }

  @AfterAll
  static void stopResponder() {
    if (responder != null) {
      responder.destroy();
    }
  }

  private static TlsConfig stapling(TlsConfig.Ocsp ocsp, TestCerts.Pair... pairs) {
    return TestTls.tls(null, List.of(pairs)).withOcsp(ocsp);
  }

  private void startTls(TlsConfig tls) throws Exception {
    start(config(eventLoops(), listener("web").tls(tls), pool("app").backend("b1", backend("b1").port())));
  }

  private ServerTls tls() {
    return node.listener("web") != null ? node.listener("web").tls() : node.tcpListener("web").tls();
  }

  @Test
  void staplesTheResponderAnswerForTheCertificateSniPicks() throws Exception {
    startTls(stapling(new TlsConfig.Ocsp(true, null, null, null), good, other));
    await().atMost(Duration.ofSeconds(30)).until(() -> tls().ocsp().stream().allMatch(OcspStatus::stapled));
    for (TestCerts.Pair p : List.of(good, other)) {
      String name = p.equals(good) ? "good.tandem.test" : "other.tandem.test";
      String out = sClient(name);
      assertTrue(out.contains("OCSP Response Status: successful"), out);
      assertTrue(out.contains("Cert Status: good"), out);
      assertTrue(out.contains("Serial Number: " + serial(p)), "the response for " + name + "'s certificate:\n" + out);
    }
    OcspStatus status = tls().ocsp().get(0);
    assertEquals("good.tandem.test", status.certificate());
    assertEquals(OcspResponse.CertStatus.GOOD, status.certStatus());
    assertNotNull(status.nextUpdate(), "openssl ocsp -ndays 1 sets nextUpdate");
    assertTrue(status.nextFetch().isBefore(status.nextUpdate()), status.toString());
    assertEquals(null, status.lastError());
    assertEquals(200, TestTls.https(port(), "good.tandem.test", "/"), "requests still flow");
    String h2 = TestCerts.run("sh", "-c", "openssl s_client -connect 127.0.0.1:" + port()
        + " -servername good.tandem.test -status -alpn h2 </dev/null 2>&1");
    assertTrue(h2.contains("ALPN protocol: h2") && h2.contains("Cert Status: good"), h2);
    String metrics = node.metrics().scrape();
    assertTrue(metrics.contains("tandem_tls_ocsp_stapled{certificate=\"other.tandem.test\",listener=\"web\"} 1.0"),
        metrics);
    assertTrue(metrics.contains("tandem_tls_ocsp_next_update_seconds{certificate=\"good.tandem.test\",listener=\"web\"} "
        + (double) status.nextUpdate().getEpochSecond()), () -> grep(metrics, "tandem_tls_ocsp"));
    assertTrue(metrics.contains("tandem_tls_ocsp_failing{certificate=\"good.tandem.test\",listener=\"web\"} 0.0"),
        () -> grep(metrics, "tandem_tls_ocsp"));
  }

  private static String grep(String text, String word) {
    return String.join("\n", text.lines().filter(l -> l.contains(word)).toList());
  }

  @Test
  void turningStaplingOnByAReloadRestartsTheListenerWithIt() throws Exception {
    TlsConfig plain = TestTls.tls(null, List.of(good));
    startTls(plain);
    assertTrue(sClient("good.tandem.test").contains("OCSP response: no response sent"));
    node.reload(config(eventLoops(), listener("web").tls(plain.withOcsp(new TlsConfig.Ocsp(true, null, null, null))),
        pool("app").backend("b1", backends.get(0).port()))).await(10, java.util.concurrent.TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(30)).until(() -> tls().staples() && tls().ocsp().get(0).stapled());
    String out = sClient("good.tandem.test");
    assertTrue(out.contains("Cert Status: good"), out);
  }

  @Test
  void aTcpListenerWithTlsStaplesToo() throws Exception {
    start(config(eventLoops(), listener("web").tcp().tls(stapling(new TlsConfig.Ocsp(true, null, null, null), good)),
        pool("app").backend("b1", backend("b1").port())));
    await().atMost(Duration.ofSeconds(30)).until(() -> tls().ocsp().get(0).stapled());
    String out = sClient("good.tandem.test");
    assertTrue(out.contains("OCSP Response Status: successful"), out);
    assertTrue(out.contains("Cert Status: good"), out);
  }

  @Test
  void aRevokedStatusIsStapledWithAWarning() throws Exception {
    try (LogCapture log = LogCapture.of("io.tandem.tls.OcspStapler")) {
      startTls(stapling(new TlsConfig.Ocsp(true, null, null, null), revoked));
      await().atMost(Duration.ofSeconds(30)).until(() -> tls().ocsp().get(0).stapled());
      String out = sClient("revoked.tandem.test");
      assertTrue(out.contains("Cert Status: revoked"), out);
      assertEquals(OcspResponse.CertStatus.REVOKED, tls().ocsp().get(0).certStatus());
      assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("WARN web: certificate revoked.tandem.test: "
          + "http://127.0.0.1:" + responderPort + " says revoked (since ")), log.lines()::toString);
    }
  }

  @Test
  void aResponderThatIsDownMeansNoStapleAndAWarning() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try (LogCapture log = LogCapture.of("io.tandem.tls.OcspStapler")) {
      startTls(stapling(new TlsConfig.Ocsp(true, null, URI.create("http://127.0.0.1:" + closed + "/"), null), good));
      await().atMost(Duration.ofSeconds(30)).until(() -> tls().ocsp().get(0).lastError() != null);
      assertEquals(false, tls().ocsp().get(0).stapled());
      assertTrue(sClient("good.tandem.test").contains("OCSP response: no response sent"));
      assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("WARN web: certificate good.tandem.test: OCSP fetch "
          + "from http://127.0.0.1:" + closed + "/ failed (1 in a row): ")), log.lines()::toString);
      assertEquals(200, TestTls.https(port(), "good.tandem.test", "/"), "handshakes go on without");
      String metrics = node.metrics().scrape();
      assertTrue(metrics.contains("tandem_tls_ocsp_failing{certificate=\"good.tandem.test\",listener=\"web\"} 1.0"),
          () -> grep(metrics, "tandem_tls_ocsp"));
      assertTrue(metrics.contains("tandem_tls_ocsp_stapled{certificate=\"good.tandem.test\",listener=\"web\"} 0.0"),
          () -> grep(metrics, "tandem_tls_ocsp"));
    }
  }

  @Test
  void staplesAResponseFromAFileAndReadsItAgainWhenItChanges() throws Exception {
    Path file = dir.resolve("good.ocsp");
    Files.copy(responseFile(good, "good-now.ocsp", "V"), file, StandardCopyOption.REPLACE_EXISTING);
    TlsConfig tls = TestTls.tls(null, List.of(good, other), TlsConfig.ClientAuth.NONE, null, null,
        Duration.ofMillis(100)).withOcsp(new TlsConfig.Ocsp(true, file, null, null));
    startTls(tls);
    String out = sClient("good.tandem.test");
    assertTrue(out.contains("Cert Status: good"), out);
    assertTrue(sClient("other.tandem.test").contains("OCSP response: no response sent"),
        "the file is about good.tandem.test only");
    Path next = responseFile(good, "good-revoked.ocsp", "R");
    Path tmp = dir.resolve("good.ocsp.tmp");
    Files.copy(next, tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    await().atMost(Duration.ofSeconds(30)).until(() -> tls().reloads() >= 1);
    String after = sClient("good.tandem.test");
    assertTrue(after.contains("Cert Status: revoked"), after);
  }

  // ---- helpers ----

  /** What {@code openssl s_client -status} prints for one handshake naming {@code sni}. */
  private String sClient(String sni) {
    return TestCerts.run("sh", "-c", "openssl s_client -connect 127.0.0.1:" + port() + " -servername " + sni
        + " -status </dev/null 2>&1");
  }

  /**
   * A DER response about {@code p}'s certificate, made by {@code openssl ocsp} from an index where it has
   * {@code state} ({@code V} valid, {@code R} revoked), without a running responder.
   */
  private static Path responseFile(TestCerts.Pair p, String name, String state) throws IOException {
    Path index = dir.resolve(name + ".index");
    Files.writeString(index, indexLine(p, state.equals("R") ? "R" : null));
    Path request = dir.resolve(name + ".req");
    Path leaf = dir.resolve(p.cert().getFileName().toString().replace(".crt", ".leaf.crt"));
    TestCerts.run("openssl", "ocsp", "-issuer", certs.caCert().toString(), "-cert", leaf.toString(), "-no_nonce",
        "-reqout", request.toString());
    Path response = dir.resolve(name);
    TestCerts.run("openssl", "ocsp", "-index", index.toString(), "-rsigner", certs.caCert().toString(), "-rkey",
        certs.caKey().toString(), "-CA", certs.caCert().toString(), "-reqin", request.toString(), "-respout",
        response.toString(), "-ndays", "1");
    return response;
  }

  /** A line of an {@code openssl ca} index: the certificate valid, or revoked ({@code "R"}) an hour ago. */
  private static String indexLine(TestCerts.Pair p, String state) throws IOException {
    X509Certificate cert = certificate(p.cert());
    ZonedDateTime expiry = cert.getNotAfter().toInstant().atZone(ZoneOffset.UTC);
    String revokedAt = state == null ? "" : INDEX_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).minusHours(1));
    return (state == null ? "V" : "R") + "\t" + INDEX_TIME.format(expiry) + "\t" + revokedAt + "\t" + serial(p)
        + "\tunknown\t/CN=" + cert.getSubjectX500Principal().getName().replace("CN=", "") + "\n";
  }

  /** The certificate's serial as openssl prints it: upper-case hex, whole bytes. */
  private static String serial(TestCerts.Pair p) throws IOException {
    String hex = certificate(p.cert()).getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
    return hex.length() % 2 == 0 ? hex : "0" + hex;
  }

  private static X509Certificate certificate(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (java.security.cert.CertificateException e) {
      throw new IOException(e);
    }
  }
}
