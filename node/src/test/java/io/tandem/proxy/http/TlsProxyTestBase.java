package io.tandem.proxy.http;

import io.tandem.testing.TestCerts;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node under test that terminates TLS: a test CA made once per class in a temporary directory, from which
 * subclasses issue the certificates they need (in a {@code @BeforeAll} of their own, which runs after this one). Two
 * event loops unless a subclass says otherwise.
 */
abstract class TlsProxyTestBase extends ProxyTestBase {
  @TempDir
  static Path dir;
  static TestCerts certs;

  @Override
  protected int eventLoops() {
    return 2;
  }

  @BeforeAll
  static void makeCertificateAuthority() {
    certs = TestCerts.create(dir);
  }
}
