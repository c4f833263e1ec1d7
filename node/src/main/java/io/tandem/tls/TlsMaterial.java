package io.tandem.tls;

import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.tandem.config.TlsConfig;
import io.tandem.tls.engine.TlsEngine;
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

/**
 * One loaded generation of a listener's TLS settings: the checked certificates, their SNI selector and the Vert.x
 * {@link ServerSSLOptions} built from them. Built on the control plane; immutable.
 *
 * @param fingerprint SHA-256 over the contents of every file it was read from, to notice changes on disk
 */
record TlsMaterial(TlsConfig config, List<KeyCertificate> certificates, ServerSSLOptions options,
    String fingerprint) {

  /** Reads and checks every file of {@code config}; the problem names the field path under {@code tls}. */
  static TlsMaterial load(TlsConfig config, boolean openssl, Instant now) throws CertificateProblem {
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
    int defaultIndex = config.defaultName() == null ? 0 : Math.max(0, SniSelector.indexOf(names, config.defaultName()));
    KeyManagerFactory kmf = new FixedKeyManagerFactory(new SniKeyManager(certs, new SniSelector(names, defaultIndex)));
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
    if (config.clientAuth() != TlsConfig.ClientAuth.NONE) {
      options.setTrustOptions(TrustOptions.wrap(CaTrust.load(config.clientCa(), "client-ca", now)));
      options.setClientAuth(config.clientAuth() == TlsConfig.ClientAuth.REQUIRED ? ClientAuth.REQUIRED
          : ClientAuth.REQUEST);
    }
    return new TlsMaterial(config, certs, options, fingerprint);
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
