package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;

import io.tandem.config.TlsConfig;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.TestCerts;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * A TLS listener in front of fake backends, with a CA and certificates for a.tandem.test, *.w.tandem.test and a
 * default one.
 */
abstract class HttpsTestBase extends TlsProxyTestBase {
  static TestCerts.Pair a;
  static TestCerts.Pair wild;
  static TestCerts.Pair fallback;

  @BeforeAll
  static void makeCertificates() {
    a = certs.leaf("a", "a.tandem.test");
    wild = certs.leaf("wild", "*.w.tandem.test");
    fallback = certs.leaf("fallback", "default.tandem.test");
  }

  void startTls(TlsConfig tls, FakeBackend b) throws Exception {
    start(config(eventLoops(), listener("web").tls(tls), pool("app").backend(b.name(), b.port())));
  }

  /** The subject CN of the certificate openssl s_client is served for {@code sni} (null: no SNI). */
  String sClientSubject(String sni) {
    List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port()));
    if (sni == null) {
      cmd.add("-noservername");
    } else {
      cmd.addAll(List.of("-servername", sni));
    }
    String out = TestCerts.run(cmd.toArray(String[]::new));
    for (String line : out.split("\n")) {
      if (line.startsWith("subject=")) {
        return line.substring(line.indexOf("CN = ") + 5).trim();
      }
    }
    throw new AssertionError("no subject in:\n" + out);
  }

  String curl(String... args) {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-i", "--max-time", "10", "--cacert",
        certs.caCert().toString(), "--resolve", "a.tandem.test:" + port() + ":127.0.0.1"));
    cmd.addAll(List.of(args));
    return TestCerts.run(cmd.toArray(String[]::new));
  }

  boolean curlFails(String... args) {
    try {
      String out = curl(args);
      return !out.contains(" 200");
    } catch (IllegalStateException e) {
      return true;
    }
  }
}
