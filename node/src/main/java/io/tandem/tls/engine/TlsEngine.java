package io.tandem.tls.engine;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * The two TLS implementations a listener can run on, and the cipher suites each knows. Both take IANA names
 * ({@code TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}); Netty converts them to OpenSSL's for BoringSSL.
 *
 * <p>The default suites are Mozilla's "intermediate" list (AEAD only: no CBC suites, which testssl.sh flags for
 * LUCKY13) plus the three TLS 1.3 suites, each engine keeping those it knows: BoringSSL has no DHE suites.
 * <pre>{@code
 * TlsEngine.auto().enabledCipherSuites(List.of())      // the defaults this engine knows
 * TlsEngine.JDK.enabledCipherSuites(List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))
 *     // the TLS 1.3 suites, then that one: TLS 1.3 stays on
 * }</pre>
 */
public enum TlsEngine {
  /** BoringSSL through netty-tcnative. */
  OPENSSL,
  /** The JDK's SSLEngine. */
  JDK;

  /** The TLS 1.3 suites, in Mozilla's order. */
  public static final List<String> TLS13_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

  /** Mozilla's "intermediate" TLS 1.2 suites (version 5.7), in its order, by IANA name. */
  public static final List<String> INTERMEDIATE_TLS12_SUITES = List.of(
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  /** OpenSSL when netty-tcnative loads here with ALPN, else the JDK's. */
  public static TlsEngine auto() {
    return OpenSsl.isAvailable() && SslProvider.isAlpnSupported(SslProvider.OPENSSL) ? OPENSSL : JDK;
  }

  /** {@code openssl} or {@code jdk}, as in the configuration. */
  public String spelling() {
    return this == OPENSSL ? "openssl" : "jdk";
  }

  /** The suites this engine knows, by IANA name. */
  public Set<String> knownCipherSuites() {
    if (this == OPENSSL) {
      // Netty also lists each under an SSL_ alias; the configuration takes IANA names only.
      return OpenSsl.availableJavaCipherSuites().stream().filter(s -> s.startsWith("TLS_"))
          .collect(Collectors.toUnmodifiableSet());
    }
    try {
      return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no default TLS context", e);
    }
  }

  /**
   * The suites to enable for {@code configured} (IANA names the engine knows; empty: the defaults). A list naming no
   * TLS 1.3 suite leaves TLS 1.3's at their defaults, as nginx's {@code ssl_ciphers} does: an engine given only
   * TLS 1.2 suites would otherwise refuse every TLS 1.3 handshake.
   */
  public List<String> enabledCipherSuites(List<String> configured) {
    Set<String> known = knownCipherSuites();
    List<String> enabled = new ArrayList<>();
    if (configured.stream().noneMatch(TlsEngine::isTls13Suite)) {
      TLS13_SUITES.stream().filter(known::contains).forEach(enabled::add);
    }
    (configured.isEmpty() ? INTERMEDIATE_TLS12_SUITES : configured).stream()
        .filter(known::contains).filter(s -> !enabled.contains(s)).forEach(enabled::add);
    return List.copyOf(enabled);
  }

  /** TLS 1.3 suites name no key exchange: {@code TLS_AES_128_GCM_SHA256}, not {@code TLS_ECDHE_..._WITH_...}. */
  public static boolean isTls13Suite(String suite) {
    return suite.startsWith("TLS_") && !suite.contains("_WITH_") && !suite.endsWith("_SCSV");
  }
}
