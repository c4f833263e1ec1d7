package io.tandem.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * TLS on a listener (YAML {@code listeners[].tls}). The certificate files were read and checked when the configuration
 * was loaded; they are read again when they change on disk (every {@code reloadInterval}).
 *
 * @param certificates   key and certificate chain files, at least one; chosen by the client's SNI name
 * @param defaultName    a name of the certificate served when SNI names none of them; null: the first certificate
 * @param protocols      enabled protocol versions, e.g. {@code TLSv1.2}, {@code TLSv1.3}
 * @param ciphers        enabled cipher suites (IANA names); empty: Mozilla's "intermediate" list (AEAD only) and the
 *                       TLS 1.3 suites, those the engine knows; a list naming no TLS 1.3 suite keeps their defaults
 * @param alpn           protocols offered by ALPN, in order of preference; empty: no ALPN (HTTP/1.1 only)
 * @param clientAuth     client certificate verification
 * @param clientCa       CA bundle client certificates must chain to; null unless clientAuth is not NONE
 * @param hsts           the Strict-Transport-Security header added to responses, or null for none
 * @param engine         TLS implementation
 * @param reloadInterval how often the files are checked for changes
 * @param ocsp           OCSP stapling; {@link Ocsp#OFF} for none
 */
public record TlsConfig(
    List<CertificateFiles> certificates,
    String defaultName,
    List<String> protocols,
    List<String> ciphers,
    List<String> alpn,
    ClientAuth clientAuth,
    Path clientCa,
    Hsts hsts,
    Engine engine,
    Duration reloadInterval,
    Ocsp ocsp) {

  public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");
  public static final List<String> DEFAULT_ALPN = List.of("h2", "http/1.1");
  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(5);

  public TlsConfig {
    certificates = List.copyOf(certificates);
    protocols = List.copyOf(protocols);
    ciphers = List.copyOf(ciphers);
    alpn = List.copyOf(alpn);
    ocsp = ocsp == null ? Ocsp.OFF : ocsp;
  }

  /** Without OCSP stapling. */
  public TlsConfig(List<CertificateFiles> certificates, String defaultName, List<String> protocols,
      List<String> ciphers, List<String> alpn, ClientAuth clientAuth, Path clientCa, Hsts hsts, Engine engine,
      Duration reloadInterval) {
    this(certificates, defaultName, protocols, ciphers, alpn, clientAuth, clientCa, hsts, engine, reloadInterval,
        Ocsp.OFF);
  }

  /** The same settings with {@code ocsp}. */
  public TlsConfig withOcsp(Ocsp ocsp) {
    return new TlsConfig(certificates, defaultName, protocols, ciphers, alpn, clientAuth, clientCa, hsts, engine,
        reloadInterval, ocsp);
  }

  /**
   * OCSP stapling ({@code tls.ocsp}): each handshake that asks for it carries a signed statement of the certificate's
   * status, so clients need not ask the CA themselves. Needs the OpenSSL engine.
   *
   * @param stapling      on or off; off unless configured, or a {@code file} is given
   * @param file          a DER OCSP response to staple, re-read when it changes; null: fetch from the responder
   * @param responder     the responder to ask instead of the one each certificate names; null: theirs
   * @param refreshBefore fetch a new response this long before the current one's nextUpdate; null: halfway
   */
  public record Ocsp(boolean stapling, Path file, java.net.URI responder, Duration refreshBefore) {
    public static final Ocsp OFF = new Ocsp(false, null, null, null);

    /** Whether responses are fetched from responders (rather than read from a file). */
    public boolean fetches() {
      return stapling && file == null;
    }
  }

  /** One certificate: the chain file (leaf first) and its private key file, both PEM. */
  public record CertificateFiles(Path cert, Path key) {}

  /**
   * @param maxAge            {@code max-age}
   * @param includeSubdomains adds {@code includeSubDomains}
   */
  public record Hsts(Duration maxAge, boolean includeSubdomains) {
    /** The header value, e.g. {@code max-age=31536000; includeSubDomains}. */
    public String headerValue() {
      return "max-age=" + maxAge.toSeconds() + (includeSubdomains ? "; includeSubDomains" : "");
    }
  }

  /** Client certificate verification (mutual TLS). */
  public enum ClientAuth { NONE, OPTIONAL, REQUIRED }

  /** TLS implementation: OpenSSL (BoringSSL through netty-tcnative), the JDK's, or OpenSSL when it loads. */
  public enum Engine { AUTO, OPENSSL, JDK }
}
