package io.tandem.testing;

import static io.tandem.testing.TestConfigs.listener;

import io.tandem.config.TlsConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for tests: listener TLS settings from {@link TestCerts} pairs, and a client that shows which certificate it was
 * served.
 */
public final class TestTls {
  private TestTls() {}

  public static TlsConfig tls(String defaultName, List<TestCerts.Pair> pairs) {
    return tls(defaultName, pairs, TlsConfig.ClientAuth.NONE, null, null, Duration.ofSeconds(5));
  }

  public static TlsConfig tls(String defaultName, List<TestCerts.Pair> pairs, TlsConfig.ClientAuth auth, Path ca,
      TlsConfig.Hsts hsts, Duration reload) {
    return new TlsConfig(pairs.stream().map(p -> new TlsConfig.CertificateFiles(p.cert(), p.key())).toList(),
        defaultName, TlsConfig.DEFAULT_PROTOCOLS, List.of(), TlsConfig.DEFAULT_ALPN, auth, ca, hsts,
        TlsConfig.Engine.AUTO, reload);
  }

  public static int https(int port, String sni, String path) throws Exception {
    return Integer.parseInt(httpsText(port, sni, path).substring(9, 12));
  }

  /** The whole answer to one HTTP/1.1 GET over TLS with {@code sni}. */
  public static String httpsText(int port, String sni, String path) throws Exception {
    try (SSLSocket s = socket(port, sni)) {
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + sni + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  public static X509Certificate served(int port, String sni) throws Exception {
    try (SSLSocket s = socket(port, sni)) {
      s.startHandshake();
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }

  public static SSLSocket socket(int port, String sni) throws Exception {
    SSLSocket s = (SSLSocket) trusting().getSocketFactory().createSocket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    SSLParameters params = s.getSSLParameters();
    params.setServerNames(List.of(new SNIHostName(sni)));
    s.setSSLParameters(params);
    return s;
  }

  /** A client context that accepts any server certificate (the tests look at which one it was). */
  public static SSLContext trusting() throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    return ctx;
  }
}
