package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tandem.testing.TestTls;
import io.tandem.config.ListenerConfig;
import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.TestCerts;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real browser over HTTP/3: headless Chromium, forced to QUIC for the test origin ({@code --origin-to-force-quic-on})
 * and trusting the test certificate by its public key's hash, fetches a page through a node; the node counts the
 * request on its HTTP/3 side. Skipped, naming what is missing, without Chromium (CI installs it).
 */
class Http3BrowserTest extends ProxyTestBase {
  @TempDir
  Path dir;

  @Override
  protected int eventLoops() {
    return 2;
  }

  @Test
  void chromiumFetchesAPageOverHttp3() throws Exception {
    Optional<Path> chromium = onPath("chromium", "chromium-browser", "google-chrome");
    assumeTrue(chromium.isPresent(), "chromium is not installed (Debian: apt-get install chromium)");
    TestCerts.Pair cert = TestCerts.create(dir).leaf("a", "a.tandem.test");
    FakeBackend b1 = backend("b1");
    b1.always(Action.respond(200, Map.of("Content-Type", "text/html; charset=utf-8"),
        "<!doctype html><html><head><title>h3 ok</title></head><body><p id=via>through tandem</p></body></html>"));
    start(config(eventLoops(), listener("web").tls(TestTls.tls(null, List.of(cert)))
        .http3(ListenerConfig.Http3.defaults()), pool("app").backend(b1.name(), b1.port())));
    String origin = "a.tandem.test:" + port();
    Path profile = Files.createDirectories(dir.resolve("profile"));
    Path netLog = dir.resolve("netlog.json");
    Process p = new ProcessBuilder(chromium.get().toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile, "--enable-quic",
        "--origin-to-force-quic-on=" + origin, "--ignore-certificate-errors-spki-list=" + spki(cert.cert()),
        "--host-resolver-rules=MAP a.tandem.test 127.0.0.1", "--log-net-log=" + netLog,
        "--virtual-time-budget=5000", "--dump-dom", "https://" + origin + "/page")
        .redirectError(dir.resolve("chromium.err").toFile()).start();
    String dom;
    try (InputStream out = p.getInputStream()) {
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium did not finish");
      dom = new String(out.readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      p.destroyForcibly();
    }
    String err = Files.exists(dir.resolve("chromium.err")) ? Files.readString(dir.resolve("chromium.err")) : "";
    assertTrue(dom.contains("through tandem"), "the page: " + dom + "\nchromium said: " + err);
    assertTrue(node.listener("web").http3().snapshot().streams() >= 1,
        "the page came over HTTP/3: " + node.listener("web").http3().snapshot());
    assertEquals("/page", b1.awaitRequests(1).get(0).uri());
  }

  /** The base64 SHA-256 of the certificate's SubjectPublicKeyInfo, as Chromium's SPKI list takes it. */
  private static String spki(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
          .digest(c.getPublicKey().getEncoded()));
    }
  }

  private static Optional<Path> onPath(String... names) {
    for (String dirName : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String n : names) {
        Path candidate = Path.of(dirName, n);
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }
}
