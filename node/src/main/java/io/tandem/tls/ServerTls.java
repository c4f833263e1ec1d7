package io.tandem.tls;

import io.tandem.config.TlsConfig;
import io.tandem.tls.engine.StaplingOpenSslOptions;
import io.tandem.tls.engine.TlsEngine;
import io.tandem.tls.pem.CertificateProblem;
import io.tandem.tls.pem.KeyCertificate;
import io.vertx.core.Future;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The TLS side of one listener, HTTP or TCP: its certificates (chosen by SNI), protocols, ciphers, ALPN and client
 * verification, and the servers that use them. It configures a server's options before the server starts
 * ({@link #applyTo}), and later pushes new settings into every registered running server without touching open
 * connections: when the configuration is reloaded ({@link #reconfigure}) and when its files change on disk
 * ({@link #poll}, called every {@code reload-interval} off the event loops). New settings that do not load (a file
 * unreadable, a key that does not match, a certificate expired or not yet valid) are refused with a logged error
 * naming the file and the problem, and the old ones keep serving.
 *
 * <p>Example, for a Vert.x {@code NetServer} of a TCP listener with TLS:
 * <pre>{@code
 * ServerTls tls = ServerTls.load("db", listenerConfig.tls());      // throws CertificateProblem
 * NetServerOptions options = new NetServerOptions().setPort(5432);
 * tls.applyTo(options);
 * NetServer server = vertx.createNetServer(options);
 * tls.register(server::updateSSLOptions);                          // now follows reloads
 * }</pre>
 * Thread-safe: control-plane methods are synchronized; the data plane never calls this class.
 */
public final class ServerTls {
  private static final Logger LOG = LogManager.getLogger(ServerTls.class);

  private final String listener;
  private final Supplier<Instant> clock;
  private final boolean openssl;
  private final OcspStapler stapler;
  private final List<Function<ServerSSLOptions, Future<Boolean>>> servers = new CopyOnWriteArrayList<>();
  private volatile TlsMaterial current;
  private String refusedFingerprint;
  private volatile String lastError;
  private final java.util.concurrent.atomic.AtomicInteger reloads = new java.util.concurrent.atomic.AtomicInteger();

  private ServerTls(String listener, TlsMaterial material, boolean openssl, Supplier<Instant> clock,
      OcspStapler stapler) {
    this.listener = listener;
    this.current = material;
    this.openssl = openssl;
    this.clock = clock;
    this.stapler = stapler;
  }

  /** Loads a listener's TLS settings now, without OCSP stapling (configuring it is refused). */
  public static ServerTls load(String listener, TlsConfig config) throws CertificateProblem {
    return load(listener, config, Instant::now);
  }

  /** Loads with {@code clock} telling the time that certificates must be valid at (tests move it); no stapling. */
  public static ServerTls load(String listener, TlsConfig config, Supplier<Instant> clock) throws CertificateProblem {
    return load(listener, config, clock, null);
  }

  /**
   * Loads a listener's TLS settings now; with {@code tls.ocsp}, staples responses fetched through {@code ocsp} (the
   * first fetch starts now) or read from the configured file. Stapling needs the OpenSSL engine: when {@code auto}
   * falls back to the JDK's, a warning says it is off.
   */
  public static ServerTls load(String listener, TlsConfig config, OcspServices ocsp) throws CertificateProblem {
    return load(listener, config, Instant::now, ocsp);
  }

  static ServerTls load(String listener, TlsConfig config, Supplier<Instant> clock, OcspServices ocsp)
      throws CertificateProblem {
    boolean openssl = useOpenSsl(config.engine());
    OcspStapler stapler = null;
    if (config.ocsp().stapling() && !openssl) {
      LOG.warn("{}: OCSP stapling needs the openssl engine, which does not load here (engine {} runs on jdk): "
          + "not stapling", listener, config.engine().name().toLowerCase(java.util.Locale.ROOT));
    } else if (config.ocsp().stapling()) {
      if (ocsp == null) {
        throw new IllegalArgumentException(listener + ": tls.ocsp is set but no OcspServices were given");
      }
      stapler = new OcspStapler(listener, ocsp, clock);
    }
    TlsMaterial material = TlsMaterial.load(config, openssl, clock.get(), stapler);
    if (stapler != null) {
      stapler.retain(material.staples());
    }
    return new ServerTls(listener, material, openssl, clock, stapler);
  }

  /** Whether {@code engine} resolves to OpenSSL here: {@code auto} uses it when netty-tcnative loads. */
  public static boolean useOpenSsl(TlsConfig.Engine engine) {
    return switch (engine) {
      case OPENSSL -> true;
      case JDK -> false;
      case AUTO -> TlsEngine.auto() == TlsEngine.OPENSSL;
    };
  }

  /** Whether connections are handled by OpenSSL (BoringSSL) rather than the JDK's engine. */
  public boolean openssl() {
    return openssl;
  }

  /** {@code openssl} or {@code jdk}, for logs. */
  public String engineName() {
    return openssl ? "openssl" : "jdk";
  }

  /** Turns TLS on in {@code options} (HTTP or TCP server) with the current settings. */
  public void applyTo(NetServerOptions options) {
    // With stapling, the server's contexts are built with OCSP on (what Netty needs before an engine takes a response).
    SSLEngineOptions engine = !openssl ? new JdkSSLEngineOptions()
        : stapler != null ? new StaplingOpenSslOptions() : new OpenSSLEngineOptions();
    ServerSSLOptions ssl = current.options();
    options.setSsl(true).setSslEngineOptions(engine);
    options.setKeyCertOptions(ssl.getKeyCertOptions())
        .setTrustOptions(ssl.getTrustOptions())
        .setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols())
        .setUseAlpn(ssl.isUseAlpn());
    options.setClientAuth(ssl.getClientAuth());
    ssl.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
    // ALPN protocols: an HTTP server offers its alpnVersions; other servers take them from the SSL options.
    options.getSslOptions().setApplicationLayerProtocols(ssl.getApplicationLayerProtocols());
  }

  /**
   * Registers a running server's {@code updateSSLOptions(options, force)}-like method so that later changes reach it;
   * unregister when the server stops. Returns the handle to unregister with.
   */
  public Runnable register(Function<ServerSSLOptions, Future<Boolean>> updateSslOptions) {
    servers.add(updateSslOptions);
    return () -> servers.remove(updateSslOptions);
  }

  /** The settings in force (for a server starting now). */
  public ServerSSLOptions options() {
    return current.options().copy();
  }

  /** The configuration in force. */
  public TlsConfig config() {
    return current.config();
  }

  /** The certificates in force, in configuration order. */
  public List<KeyCertificate> certificates() {
    return current.certificates();
  }

  /** Whether handshakes get OCSP responses (stapling configured, on the OpenSSL engine). */
  public boolean staples() {
    return stapler != null;
  }

  /** Per certificate in force, in configuration order, its OCSP stapling; empty without stapling. */
  public List<OcspStatus> ocsp() {
    OcspStapler.Staples staples = current.staples();
    return staples == null ? List.of() : staples.status();
  }

  /** Stops refreshing OCSP responses: the listener stopped. */
  public void close() {
    if (stapler != null) {
      stapler.close();
    }
  }

  /** The last refused reload's message, or null when the latest attempt succeeded. */
  public String lastError() {
    return lastError;
  }

  /**
   * Generations put in force after the first (config reloads and file changes): counted once every running server
   * of the listener has taken the new settings, so a new connection after that sees them.
   */
  public int reloads() {
    return reloads.get();
  }

  /**
   * Applies a reloaded configuration (same engine, stapling still on or still off). Fails, keeping the old settings,
   * when it does not load.
   */
  public synchronized Future<Void> reconfigure(TlsConfig next) {
    return replace(next, "configuration reload");
  }

  /**
   * Re-reads the files when their content changed since the last load; a refused content is not retried (nor logged
   * again) until it changes again. Blocking file reads: call it off the event loops.
   */
  public synchronized Future<Void> poll() {
    if (stapler != null) {
      stapler.expire();
    }
    TlsConfig config = current.config();
    String seen = TlsMaterial.fingerprint(config);
    if (seen.equals(current.fingerprint()) || seen.equals(refusedFingerprint)) {
      return Future.succeededFuture();
    }
    return replace(config, "certificate files changed");
  }

  private Future<Void> replace(TlsConfig config, String why) {
    // Taken before the files are read: content that changes while they are read differs from it and is tried again
    // at the next poll (taken after, it could name the newer content and leave it refused for an older one's fault).
    String tried = TlsMaterial.fingerprint(config);
    TlsMaterial next;
    try {
      next = TlsMaterial.load(config, openssl, clock.get(), stapler);
    } catch (CertificateProblem p) {
      refusedFingerprint = tried;
      lastError = "listener " + listener + ": tls." + p.field() + ": " + p.getMessage();
      LOG.error("{} ({}): new TLS settings refused, the previous ones keep serving: {}", listener, why, lastError);
      return Future.failedFuture(new IllegalStateException(lastError, p));
    }
    current = next;
    if (stapler != null) {
      stapler.retain(next.staples());
    }
    refusedFingerprint = null;
    lastError = null;
    List<Future<Boolean>> updates = new ArrayList<>();
    for (Function<ServerSSLOptions, Future<Boolean>> server : servers) {
      updates.add(server.apply(next.options().copy()));
    }
    return Future.all(updates).<Void>mapEmpty()
        .onSuccess(v -> reloads.incrementAndGet())
        .onSuccess(v -> LOG.info("{} ({}): TLS settings reloaded, serving {}", listener, why, names(next)))
        .onFailure(err -> LOG.error("{}: updating the running servers' TLS settings failed: {}", listener,
            err.toString()));
  }

  private static List<List<String>> names(TlsMaterial m) {
    return m.certificates().stream().map(KeyCertificate::names).toList();
  }
}
