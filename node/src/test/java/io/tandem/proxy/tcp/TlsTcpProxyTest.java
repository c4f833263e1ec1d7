package io.tandem.proxy.tcp;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tandem.config.TlsConfig;
import io.tandem.testing.RawBackend;
import io.tandem.testing.TestCerts;
import io.tandem.util.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A TLS-terminating tcp listener: the client speaks TLS, the backend gets the plain bytes. */
class TlsTcpProxyTest extends TcpProxyTestBase {
  @TempDir
  static Path dir;
  static TestCerts certs;
  static TestCerts.Pair a;
  static TestCerts.Pair b;

  @BeforeAll
  static void certificates() {
    certs = TestCerts.create(dir);
    a = certs.leaf("a", "a.tandem.test");
    b = certs.leaf("b", "b.tandem.test");
  }

  @Override
  protected int eventLoops() {
    return 2;
  }

  private void startTlsEcho() throws Exception {
    RawBackend echo = backend(RawBackend.echo("b1"));
    TlsConfig tls = new TlsConfig(List.of(new TlsConfig.CertificateFiles(a.cert(), a.key()),
        new TlsConfig.CertificateFiles(b.cert(), b.key())), null, TlsConfig.DEFAULT_PROTOCOLS, List.of(),
        TlsConfig.DEFAULT_ALPN, TlsConfig.ClientAuth.NONE, null, null, TlsConfig.Engine.AUTO, Duration.ofSeconds(5));
    start(config(eventLoops(), listener("tcp").tcp().tls(tls), pool("app").backend("b1", echo.port())));
  }

  @Test
  void terminatesTlsChoosesTheCertificateBySniAndRelaysPlainBytes() throws Exception {
    startTlsEcho();
    for (String name : List.of("a.tandem.test", "b.tandem.test")) {
      try (SSLSocket s = tlsClient(name)) {
        s.getOutputStream().write(("hello " + name + "\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        assertEquals("hello " + name + "\n", readLine(s.getInputStream()));
        X509Certificate served = (X509Certificate) s.getSession().getPeerCertificates()[0];
        assertEquals("CN=" + name, served.getSubjectX500Principal().getName());
        // no ALPN on a tcp listener: the backend's protocol is unknown to the balancer
        assertEquals("", s.getApplicationProtocol() == null ? "" : s.getApplicationProtocol());
      }
    }
    await().until(() -> runtime().count(Outcome.OK) == 2);
  }

  @Test
  void aClientThatSendsNoTlsHelloIsClosedAndCounted() throws Exception {
    startTlsEcho();
    Socket plain = connect();
    plain.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertEquals(-1, plain.getInputStream().read());
    await().until(() -> runtime().count(Outcome.TLS_HANDSHAKE_FAILED) == 1);
    assertEquals(0, backends.get(0).accepted.get());
    try (SSLSocket s = tlsClient("a.tandem.test")) {   // the listener still serves
      s.getOutputStream().write("ok\n".getBytes(StandardCharsets.UTF_8));
      assertEquals("ok\n", readLine(s.getInputStream()));
    }
  }

  @Test
  void aClientThatDistrustsTheCertificateFailsTheHandshake() throws Exception {
    startTlsEcho();
    SSLSocket s = (SSLSocket) SSLContext.getDefault().getSocketFactory()
        .createSocket(InetAddress.getLoopbackAddress(), node.port("tcp"));
    s.setSoTimeout(10_000);
    assertThrows(IOException.class, s::startHandshake);
    s.close();
  }

  private SSLSocket tlsClient(String serverName) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(certs.caCert())) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), node.port("tcp"));
    s.setSoTimeout(10_000);
    SSLParameters params = s.getSSLParameters();
    params.setServerNames(List.of(new SNIHostName(serverName)));
    params.setEndpointIdentificationAlgorithm("HTTPS");
    s.setSSLParameters(params);
    s.startHandshake();
    return s;
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      line.append((char) c);
      if (c == '\n') {
        break;
      }
    }
    return line.toString();
  }
}
