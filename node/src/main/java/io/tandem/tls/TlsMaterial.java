package io.tandem.tls;

import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.tandem.config.TlsConfig;
import io.tandem.tls.engine.TlsEngine;
import io.tandem.tls.ocsp.OcspFile;
import io.tandem.tls.pem.CertificateProblem;
import io.tandem.tls.pem.KeyCertificate;
import io.tandem.tls.pem.PemFiles;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.TrustOptions;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * One loaded generation of a listener's TLS settings: the checked certificates, their SNI selector and the Vert.x
 * {@link ServerSSLOptions} built from them. Built on the control plane; immutable.
 *
 * @param fingerprint SHA-256 over the contents of every file it was read from, to notice changes on disk
 * @param staples     the OCSP responses its handshakes get, or null without stapling
 */
record TlsMaterial(TlsConfig config, List<KeyCertificate> certificates, ServerSSLOptions options,
    String fingerprint, OcspStapler.Staples staples) {

  /** Reads and checks every file of {@code config}; the problem names the field path under {@code tls}. */
  static TlsMaterial load(TlsConfig config, boolean openssl, Instant now) throws CertificateProblem {
    return load(config, openssl, now, null);
  }

  /**
   * The same, stapling with {@code stapler} (null: none): its responses for these certificates are prepared last,
   * once nothing else can fail, and are the ones in force once the caller has put this generation in force.
   */
  static TlsMaterial load(TlsConfig config, boolean openssl, Instant now, OcspStapler stapler)
      throws CertificateProblem {
    String fingerprint = fingerprint(config);
    List<KeyCertificate> certs = new ArrayList<>();
    List<List<String>> names = new ArrayList<>();
    for (int i = 0; i < config.certificates().size(); i++) {
      TlsConfig.CertificateFiles files = config.certificates().get(i);
      try {
        KeyCertificate kc = PemFiles.load(files.cert(), files.key(), now);
        certs.add(kc);
        names.add(kc.names());
      } catch (CertificateProblem p) {
        throw new CertificateProblem("certificates[" + i + "]." + p.field(), p.getMessage());
      }
    }
    TrustManagerFactory clientTrust = config.clientAuth() == TlsConfig.ClientAuth.NONE ? null
        : CaTrust.load(config.clientCa(), "client-ca", now);
    OcspFile file = stapler != null && config.ocsp().file() != null ? OcspFile.read(config.ocsp().file(), certs) : null;
    OcspStapler.Staples staples = stapler == null ? null : stapler.prepare(config.ocsp(), certs, file);
    int defaultIndex = config.defaultName() == null ? 0 : Math.max(0, SniSelector.indexOf(names, config.defaultName()));
    SniSelector selector = new SniSelector(names, defaultIndex);
    KeyManagerFactory kmf = new FixedKeyManagerFactory(staples == null ? new SniKeyManager(certs, selector)
        : new SniKeyManager(certs, selector, staples::staple));
    if (openssl) {
      // Netty converts the key and chain to native form once per alias instead of on every handshake.
      kmf = new OpenSslCachingX509KeyManagerFactory(kmf);
    }
    ServerSSLOptions options = new ServerSSLOptions()
        .setKeyCertOptions(KeyCertOptions.wrap(kmf))
        .setEnabledSecureTransportProtocols(new HashSet<>(config.protocols()))
        .setUseAlpn(!config.alpn().isEmpty())
        .setApplicationLayerProtocols(config.alpn());
    // Never empty: left to Vert.x, an empty list enables every suite the engine has, CBC ones included.
    (openssl ? TlsEngine.OPENSSL : TlsEngine.JDK).enabledCipherSuites(config.ciphers())
        .forEach(options::addEnabledCipherSuite);
    if (clientTrust != null) {
      options.setTrustOptions(TrustOptions.wrap(clientTrust));
      options.setClientAuth(config.clientAuth() == TlsConfig.ClientAuth.REQUIRED ? ClientAuth.REQUIRED
          : ClientAuth.REQUEST);
    }
    return new TlsMaterial(config, certs, options, fingerprint, staples);
  }

  /** SHA-256 of every file's content ("missing" for an unreadable one), in configuration order. */
  static String fingerprint(TlsConfig config) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      List<Path> files = new ArrayList<>();
      config.certificates().forEach(c -> {
        files.add(c.cert());
        files.add(c.key());
      });
      if (config.clientCa() != null) {
        files.add(config.clientCa());
      }
      if (config.ocsp().file() != null) {
        files.add(config.ocsp().file());
      }
      for (Path f : files) {
        try {
          sha.update(PemFiles.read(f, "file"));
        } catch (CertificateProblem e) {
          sha.update(("missing " + f).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is always there", e);
    }
  }
}
