package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestTls.https;
import static io.tandem.testing.TestTls.served;
import static io.tandem.testing.TestTls.tls;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tandem.config.TlsConfig;
import io.tandem.testing.TestCerts;
import io.tandem.tls.ServerTls;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Certificates replaced on disk while a TLS listener serves: rotation under load fails no request, bad files are
 * refused.
 */
class HttpsCertificateReloadTest extends HttpsTestBase {
  @Test
  void certificateRotationUnderLoadFailsNoRequest() throws Exception {
    TestCerts.Pair files = startWatchingCopyOfA("rot");
    Path cert = files.cert();
    Path key = files.key();
    BigInteger before = served(port(), "a.tandem.test").getSerialNumber();

    HttpClientAgent keepAlive = client(true);
    HttpClientAgent fresh = client(false);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicInteger loops = new AtomicInteger(4);
    for (int i = 0; i < 4; i++) {
      loop(i % 2 == 0 ? keepAlive : fresh, running, ok, failure, loops);
    }
    // Generous limits: this machine is shared; what matters is that requests flow before and after, none failing.
    await().atMost(Duration.ofSeconds(60)).until(() -> failure.get() != null || ok.get() > 20);
    TestCerts.Pair next = certs.leaf("rot-next", "a.tandem.test");
    replace(next.key(), key);
    replace(next.cert(), cert);
    ServerTls tls = node.listener("web").tls();
    await().atMost(Duration.ofSeconds(30)).until(() -> tls.reloads() >= 1 && tls.lastError() == null);
    BigInteger after = served(port(), "a.tandem.test").getSerialNumber();
    int atReload = ok.get();
    await().atMost(Duration.ofSeconds(60)).until(() -> failure.get() != null || ok.get() > atReload + 20);
    running.set(false);
    await().atMost(Duration.ofSeconds(10)).until(() -> loops.get() == 0);
    keepAlive.close();
    fresh.close();
    assertNull(failure.get(), () -> "a request failed: " + failure.get());
    assertNotEquals(before, after);
  }

  @Test
  void badNewCertificatesAreRefusedAndTheOldOneKeepsServing() throws Exception {
    TestCerts.Pair files = startWatchingCopyOfA("bad");
    Path cert = files.cert();
    Path key = files.key();
    BigInteger serving = served(port(), "a.tandem.test").getSerialNumber();
    ServerTls tls = node.listener("web").tls();

    replace(wild.key(), key);
    awaitError(tls, "listener web: tls.certificates[0].key: " + key + ": does not match the certificate in " + cert
        + " (CN=a.tandem.test)");
    assertEquals(serving, served(port(), "a.tandem.test").getSerialNumber());

    TestCerts.Pair expired = certs.leaf("expired", "ec", -1, "a.tandem.test");
    replace(expired.key(), key);
    replace(expired.cert(), cert);
    X509Certificate leaf = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
        .generateCertificate(Files.newInputStream(cert));
    awaitError(tls, "listener web: tls.certificates[0].cert: " + cert + ": certificate expired on "
        + leaf.getNotAfter().toInstant() + " (CN=a.tandem.test)");
    assertEquals(serving, served(port(), "a.tandem.test").getSerialNumber());

    Files.delete(cert);
    awaitError(tls, "listener web: tls.certificates[0].cert: " + cert + ": file not found");
    assertEquals(serving, served(port(), "a.tandem.test").getSerialNumber());
    assertEquals(200, https(port(), "a.tandem.test", "/still"));
    assertEquals(0, tls.reloads());
  }

  // ---- helpers ----

  /** Starts a listener serving copies of certificate a, named {@code name}.crt/.key, checked every 100 ms. */
  private TestCerts.Pair startWatchingCopyOfA(String name) throws Exception {
    TestCerts.Pair files = new TestCerts.Pair(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
    Files.copy(a.cert(), files.cert(), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(a.key(), files.key(), StandardCopyOption.REPLACE_EXISTING);
    startTls(tls(null, List.of(files), TlsConfig.ClientAuth.NONE, null, null, Duration.ofMillis(100)), backend("b1"));
    return files;
  }

  private static void awaitError(ServerTls tls, String message) {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(message, tls.lastError()));
  }

  private static void replace(Path from, Path to) throws Exception {
    Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
    Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private HttpClientAgent client(boolean keepAlive) {
    return vertx.httpClientBuilder().with(new HttpClientOptions().setSsl(true).setKeepAlive(keepAlive)
        .setTrustOptions(new PemTrustOptions().addCertPath(certs.caCert().toString())).setVerifyHost(true)
        .setForceSni(true)).with(new PoolOptions().setHttp1MaxSize(2)).build();
  }

  private void loop(HttpClientAgent client, AtomicBoolean running, AtomicInteger ok,
      AtomicReference<Throwable> failure, AtomicInteger loops) {
    if (!running.get()) {
      loops.decrementAndGet();
      return;
    }
    client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("a.tandem.test").setPort(port())
            .setServer(io.vertx.core.net.SocketAddress.inetSocketAddress(port(), "127.0.0.1")).setURI("/load"))
        .compose(req -> req.send().compose(resp -> resp.body().map(body -> resp.statusCode())))
        .onComplete(ar -> {
          if (ar.failed() || ar.result() != 200) {
            failure.compareAndSet(null, ar.failed() ? ar.cause() : new AssertionError("status " + ar.result()));
          } else {
            ok.incrementAndGet();
          }
          loop(client, running, ok, failure, loops);
        });
  }
}
