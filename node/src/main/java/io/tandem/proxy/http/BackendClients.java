package io.tandem.proxy.http;

import io.netty.handler.ssl.SslContext;
import io.tandem.config.BackendTlsConfig;
import io.tandem.config.PoolConfig;
import io.tandem.tls.BackendTls;
import io.tandem.tls.pem.CertificateProblem;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One pooled HTTP/1.1 client per pool, holding keep-alive connections to that pool's backends. A reload that changes a
 * pool's connection settings gets a new client; the old one is closed after the drain time so in-flight requests end.
 */
public final class BackendClients {
  private static final org.apache.logging.log4j.Logger LOG =
      org.apache.logging.log4j.LogManager.getLogger(BackendClients.class);
  private final Vertx vertx;
  private final Map<String, Entry> clients = new ConcurrentHashMap<>();
  private volatile Duration drain = Duration.ofSeconds(30);

  private record Settings(long connectMs, int idleSeconds, int poolSize, BackendTlsConfig tls, boolean h2) {}

  /**
   * A pool's clients: Vert.x's (the HTTP/2 front's backend side) and, for Tandem's own HTTP/1.1 path, the TLS
   * context of its backend connections (null without {@code tls}).
   */
  private record Entry(Settings settings, HttpClientAgent client, SslContext ssl) {}

  public BackendClients(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The client of a pool (data plane: a map read), or null for an unknown pool. */
  HttpClientAgent client(String pool) {
    Entry e = clients.get(pool);
    return e == null ? null : e.client;
  }

  /** The TLS context for a pool's backend connections, or null (plain, or an unknown pool). Data plane: a map read. */
  SslContext ssl(String pool) {
    Entry e = clients.get(pool);
    return e == null ? null : e.ssl;
  }

  /** Creates clients for new pools and for pools whose settings changed; retires the rest. Control plane. */
  public synchronized void apply(java.util.List<PoolConfig> pools) {
    java.util.Set<String> live = new java.util.HashSet<>();
    for (PoolConfig pool : pools) {
      live.add(pool.name());
      Settings wanted = settings(pool);
      Entry old = clients.get(pool.name());
      if (old == null || !old.settings.equals(wanted)) {
        clients.put(pool.name(), new Entry(wanted, create(wanted), sslContext(wanted.tls, wanted.h2)));
        if (old != null) {
          retire(old.client);
        }
      }
    }
    for (String name : java.util.List.copyOf(clients.keySet())) {
      if (!live.contains(name)) {
        retire(clients.remove(name).client);
      }
    }
  }

  private void retire(HttpClientAgent client) {
    vertx.setTimer(Math.max(1, drain.toMillis()), id -> client.close());
  }

  public void drainTime(Duration drain) {
    this.drain = Objects.requireNonNull(drain);
  }

  private static Settings settings(PoolConfig pool) {
    return new Settings(pool.timeouts().connect().toMillis(),
        (int) Math.max(1, pool.timeouts().idle().toSeconds()), pool.connectionPoolSize(), pool.tls(),
        pool.protocol() == io.tandem.config.BackendProtocol.H2);
  }

  private static SslContext sslContext(BackendTlsConfig tls, boolean h2) {
    if (tls == null) {
      return null;
    }
    try {
      return BackendTls.nettyContext(tls, h2);
    } catch (CertificateProblem p) {
      LOG.error("backend TLS CA no longer loads: {}", p.getMessage());
      return null;
    }
  }

  private HttpClientAgent create(Settings s) {
    HttpClientOptions options = new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_1_1)
        .setKeepAlive(true)
        .setKeepAliveTimeout(s.idleSeconds)
        .setPipelining(false)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, s.connectMs))
        .setTcpNoDelay(true)
        .setDecompressionSupported(false)
        .setVerifyHost(false)
        .setMaxInitialLineLength(16 * 1024)
        .setMaxHeaderSize(64 * 1024);
    if (s.tls != null) {
      try {
        BackendTls.applyTo(options, s.tls);
      } catch (CertificateProblem p) {
        // Checked when the configuration was loaded; the file changed since. Handshakes will fail and be reported.
        LOG.error("backend TLS CA no longer loads: {}", p.getMessage());
      }
      options.setVerifyHost(!s.tls.trustAll()).setForceSni(true);
    }
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(s.poolSize).setMaxWaitQueueSize(-1);
    return vertx.httpClientBuilder().with(options).with(pool).build();
  }

  public void close() {
    clients.values().forEach(e -> e.client.close());
    clients.clear();
  }
}
