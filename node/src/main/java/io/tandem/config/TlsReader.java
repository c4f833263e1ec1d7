package io.tandem.config;

import io.tandem.tls.der.Der;
import io.tandem.tls.engine.TlsEngine;
import io.tandem.tls.ocsp.OcspFile;
import io.tandem.tls.ocsp.OcspRequest;
import io.tandem.tls.pem.CertificateProblem;
import io.tandem.tls.pem.KeyCertificate;
import io.tandem.tls.pem.PemFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads {@code tls} of a listener and of a pool. Certificate, key and CA files are read and checked here (readable,
 * key matching, valid now), so a bad file is a configuration error naming file, field and problem: the node does
 * not start, {@code --check-config} reports it and a reload is refused.
 */
final class TlsReader {
  private static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  private static final Set<String> ALPN = Set.of("h2", "http/1.1");

  private TlsReader() {}

  static TlsConfig listener(YamlMap listener, Path base) {
    if (!listener.has("tls")) {
      return null;
    }
    YamlMap tls = listener.map("tls", "certificates", "default", "protocols", "ciphers", "alpn", "client-auth",
        "client-ca", "hsts", "engine", "reload-interval", "ocsp");
    Instant now = Instant.now();
    List<String> names = new ArrayList<>();
    List<KeyCertificate> loaded = new ArrayList<>();
    int[] entries = {0};
    List<TlsConfig.CertificateFiles> certificates = tls.maps("certificates", c -> {
      entries[0]++;
      Path cert = c.required("cert", node -> base.resolve(Scalars.text(node)));
      Path key = c.required("key", node -> base.resolve(Scalars.text(node)));
      if (cert == null || key == null) {
        return null;
      }
      try {
        KeyCertificate kc = PemFiles.load(cert, key, now);
        names.addAll(kc.names());
        loaded.add(kc);
      } catch (CertificateProblem p) {
        c.error(p.field(), p.getMessage());
      }
      return new TlsConfig.CertificateFiles(cert, key);
    }, "cert", "key");
    if (entries[0] == 0) {
      tls.error("certificates", "at least one {cert, key} is required");
    }
    String defaultName = tls.value("default", null, Scalars::hostPattern);
    if (defaultName != null && !names.isEmpty() && !names.contains(defaultName)) {
      tls.error("default", "names no certificate; the certificates are for: " + String.join(", ", names));
    }
    List<String> protocols = tls.has("protocols") ? tls.scalars("protocols", node -> oneOf(node, PROTOCOLS,
        "a TLS version (TLSv1.2 or TLSv1.3)")) : TlsConfig.DEFAULT_PROTOCOLS;
    if (tls.has("protocols") && protocols.isEmpty()) {
      tls.error("protocols", "must enable at least one of TLSv1.2, TLSv1.3");
    }
    TlsConfig.Engine engine = tls.choice("engine", TlsConfig.Engine.class, TlsConfig.Engine.AUTO);
    TlsEngine resolved = resolve(engine);
    List<String> ciphers = tls.scalars("ciphers", node -> cipher(node, resolved));
    List<String> alpn = tls.has("alpn") ? tls.scalars("alpn", node -> oneOf(node, ALPN, "h2 or http/1.1"))
        : TlsConfig.DEFAULT_ALPN;
    TlsConfig.ClientAuth clientAuth = tls.choice("client-auth", TlsConfig.ClientAuth.class, TlsConfig.ClientAuth.NONE);
    Path clientCa = tls.value("client-ca", null, node -> base.resolve(Scalars.text(node)));
    if (clientAuth == TlsConfig.ClientAuth.NONE && clientCa != null) {
      tls.error("client-ca", "applies only with client-auth optional or required");
    } else if (clientAuth != TlsConfig.ClientAuth.NONE && clientCa == null && !tls.has("client-ca")) {
      tls.error("client-ca", "is required with client-auth " + Scalars.spelling(clientAuth));
    } else if (clientCa != null) {
      caBundle(tls, "client-ca", clientCa, now);
    }
    TlsConfig.Hsts hsts = null;
    if (tls.has("hsts")) {
      YamlMap h = tls.map("hsts", "max-age", "include-subdomains");
      hsts = new TlsConfig.Hsts(h.duration("max-age", Duration.ofDays(365)), h.bool("include-subdomains", false));
    }
    Duration reload = tls.duration("reload-interval", TlsConfig.DEFAULT_RELOAD_INTERVAL);
    TlsConfig.Ocsp ocsp = tls.has("ocsp") ? ocsp(tls, base, engine, certificates,
        loaded.size() == entries[0] ? loaded : null) : TlsConfig.Ocsp.OFF;
    return new TlsConfig(certificates, defaultName, protocols, ciphers, alpn, clientAuth, clientCa, hsts, engine,
        reload, ocsp);
  }

  /**
   * {@code tls.ocsp}. Stapling is off unless asked for ({@code stapling: true}) or a {@code file} is given, as in
   * nginx: fetching makes the node call the CA's responder, which some networks do not allow.
   *
   * @param certificates the listener's certificates, or null when one did not load (checked no further then)
   */
  private static TlsConfig.Ocsp ocsp(YamlMap tls, Path base, TlsConfig.Engine engine,
      List<TlsConfig.CertificateFiles> files, List<KeyCertificate> certificates) {
    YamlMap o = tls.map("ocsp", "stapling", "file", "responder", "refresh-before");
    Path file = o.value("file", null, node -> base.resolve(Scalars.text(node)));
    boolean stapling = o.bool("stapling", file != null || o.has("file"));
    java.net.URI responder = o.value("responder", null, TlsReader::responderUrl);
    Duration refreshBefore = o.value("refresh-before", null, Scalars::duration);
    if (!stapling) {
      for (String key : new String[] {"file", "responder", "refresh-before"}) {
        if (o.has(key)) {
          o.error(key, "applies only with stapling: true");
        }
      }
      return TlsConfig.Ocsp.OFF;
    }
    if (engine == TlsConfig.Engine.JDK) {
      o.error("stapling", "needs the openssl engine; the JDK's cannot staple (engine is jdk)");
    }
    if (file != null && responder != null) {
      o.error("responder", "applies to fetched responses; this listener staples " + file);
    }
    if (file != null && refreshBefore != null) {
      o.error("refresh-before", "applies to fetched responses; a file is read again when it changes");
    }
    if (certificates != null && file != null) {
      try {
        OcspFile.read(file, certificates);
      } catch (CertificateProblem p) {
        o.error("file", p.getMessage());
      }
    } else if (certificates != null && responder == null) {
      for (int i = 0; i < certificates.size(); i++) {
        Path cert = files.get(i).cert();
        try {
          if (OcspRequest.responder(certificates.get(i).leaf()) == null) {
            tls.error("certificates[" + i + "].cert", cert + ": names no OCSP responder (Authority Information "
                + "Access) to fetch from; set ocsp.responder, or ocsp.stapling: false");
          }
        } catch (Der.MalformedException e) {
          tls.error("certificates[" + i + "].cert", cert + ": bad Authority Information Access: " + e.getMessage());
        }
      }
    }
    return new TlsConfig.Ocsp(true, file, responder, refreshBefore);
  }

  private static java.net.URI responderUrl(com.fasterxml.jackson.databind.JsonNode node) {
    String s = Scalars.text(node);
    try {
      java.net.URI uri = new java.net.URI(s);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return uri;
      }
    } catch (java.net.URISyntaxException e) {
      // refused below
    }
    throw new IllegalArgumentException("must be an http:// or https:// URL, got " + Scalars.describe(node));
  }

  static BackendTlsConfig backend(YamlMap pool, Path base) {
    if (!pool.has("tls")) {
      return null;
    }
    YamlMap tls = pool.map("tls", "ca", "server-name", "trust-all");
    Path ca = tls.value("ca", null, node -> base.resolve(Scalars.text(node)));
    String serverName = tls.value("server-name", null, Scalars::hostPattern);
    if (serverName != null && serverName.startsWith("*.")) {
      tls.error("server-name", "must be a host name, not a wildcard");
    }
    boolean trustAll = tls.bool("trust-all", false);
    if (trustAll && ca != null) {
      tls.error("trust-all", "set ca or trust-all, not both");
    } else if (ca != null) {
      caBundle(tls, "ca", ca, Instant.now());
    }
    return new BackendTlsConfig(ca, serverName, trustAll);
  }

  private static void caBundle(YamlMap tls, String field, Path file, Instant now) {
    try {
      PemFiles.caBundle(file, field, now);
    } catch (CertificateProblem p) {
      tls.error(field, p.getMessage());
    }
  }

  private static String oneOf(com.fasterxml.jackson.databind.JsonNode node, Set<String> allowed, String what) {
    String s = Scalars.text(node);
    if (!allowed.contains(s)) {
      throw new IllegalArgumentException("must be " + what + ", got " + Scalars.describe(node));
    }
    return s;
  }

  /** The engine a listener will run on here ({@code auto}: OpenSSL when it loads), whose suites it may name. */
  static TlsEngine resolve(TlsConfig.Engine engine) {
    return switch (engine) {
      case OPENSSL -> TlsEngine.OPENSSL;
      case JDK -> TlsEngine.JDK;
      case AUTO -> TlsEngine.auto();
    };
  }

  private static String cipher(com.fasterxml.jackson.databind.JsonNode node, TlsEngine engine) {
    String s = Scalars.text(node);
    if (!engine.knownCipherSuites().contains(s)) {
      throw new IllegalArgumentException("unknown cipher suite " + Scalars.describe(node) + " for the "
          + engine.spelling() + " engine" + (engine == TlsEngine.OPENSSL && s.contains("_DHE_")
          ? " (BoringSSL has no DHE suites)" : "")
          + "; use IANA names such as TLS_AES_128_GCM_SHA256 or TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    }
    return s;
  }
}
