package io.tandem.tls;

import io.tandem.tls.pem.KeyCertificate;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.ObjIntConsumer;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A server key manager over several certificates that picks one per handshake by the client's SNI name
 * ({@link SniSelector}). Both the JDK engine and Netty's OpenSSL engine ask it through
 * {@link #chooseEngineServerAlias}, with the client hello's names in the handshake session. Aliases are the
 * certificates' indexes. Immutable.
 *
 * <p>That choice is also the moment to staple: the engine learns which certificate it will send only here (after the
 * client hello, before the certificate goes out), so {@code chosen} is told the engine and the certificate's index,
 * and {@link OcspStapler.Staples} hands the engine that certificate's OCSP response.
 */
final class SniKeyManager extends X509ExtendedKeyManager {
  private final List<KeyCertificate> certificates;
  private final SniSelector selector;
  private final ObjIntConsumer<SSLEngine> chosen;

  SniKeyManager(List<KeyCertificate> certificates, SniSelector selector) {
    this(certificates, selector, (engine, i) -> { });
  }

  /** @param chosen told each engine and the index of the certificate it will send; must not throw */
  SniKeyManager(List<KeyCertificate> certificates, SniSelector selector, ObjIntConsumer<SSLEngine> chosen) {
    this.certificates = List.copyOf(certificates);
    this.selector = selector;
    this.chosen = chosen;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    int i = selector.select(engine == null ? null : serverName(engine.getHandshakeSession()));
    if (!fits(certificates.get(i), keyType)) {
      return null;
    }
    if (engine != null) {
      chosen.accept(engine, i);
    }
    return Integer.toString(i);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    int i = selector.select(null);
    return fits(certificates.get(i), keyType) ? Integer.toString(i) : null;
  }

  /** The SNI host name of a (handshake) session, or null. */
  static String serverName(SSLSession session) {
    if (session instanceof ExtendedSSLSession extended) {
      try {
        for (SNIServerName name : extended.getRequestedServerNames()) {
          if (name instanceof SNIHostName host) {
            return host.getAsciiName();
          }
        }
      } catch (UnsupportedOperationException e) {
        return null;
      }
    }
    return null;
  }

  /** Whether the certificate's key can do what the handshake asks ({@code RSA}, {@code EC}, {@code RSASSA-PSS}...). */
  private static boolean fits(KeyCertificate c, String keyType) {
    String have = c.keyType();
    if (keyType == null || keyType.equalsIgnoreCase(have)) {
      return true;
    }
    return switch (keyType) {
      case "RSASSA-PSS" -> have.equals("RSA");
      case "EdDSA", "Ed25519", "Ed448" -> have.startsWith("Ed");
      case "ECDHE_RSA", "DHE_RSA", "RSA_PSK" -> have.equals("RSA");
      case "ECDHE_ECDSA", "ECDSA" -> have.equals("EC");
      default -> false;
    };
  }

  private KeyCertificate byAlias(String alias) {
    try {
      int i = Integer.parseInt(alias);
      return i >= 0 && i < certificates.size() ? certificates.get(i) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    KeyCertificate c = byAlias(alias);
    return c == null ? null : c.chain().toArray(new X509Certificate[0]);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    KeyCertificate c = byAlias(alias);
    return c == null ? null : c.key();
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return java.util.stream.IntStream.range(0, certificates.size())
        .filter(i -> fits(certificates.get(i), keyType)).mapToObj(Integer::toString).toArray(String[]::new);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
