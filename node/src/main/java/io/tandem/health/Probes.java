package io.tandem.health;

import io.tandem.config.BackendTlsConfig;
import io.tandem.config.HealthConfig;
import io.tandem.tls.BackendTls;
import io.tandem.tls.pem.CertificateProblem;
import io.tandem.util.Clock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.NetClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link Probe} of a pool's active check config. Owns the clients its probes share: one HTTP/1.1 client (no
 * keep-alive: every probe opens a fresh connection, as a new client would), one TCP client, one cleartext HTTP/2
 * client for grpc checks and one HTTP/2-over-TLS client per distinct backend TLS config, made when a grpc check first
 * needs it; {@link #close()} closes them all. Use {@code probes::forConfig} as the probe factory of an
 * {@link ActiveHealthChecker}.
 */
public final class Probes implements AutoCloseable {
  private final Vertx vertx;
  private final HttpClient http;
  private final NetClient tcp;
  private final HttpClientAgent h2c;
  private final Map<BackendTlsConfig, HttpClientAgent> h2 = new HashMap<>();
  private final Clock clock;

  public Probes(Vertx vertx) {
    this(vertx, Clock.SYSTEM);
  }

  public Probes(Vertx vertx, Clock clock) {
    this.vertx = vertx;
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    this.tcp = vertx.createNetClient();
    this.h2c = vertx.createHttpClient(http2());
    this.clock = clock;
  }

  public Probe forConfig(HealthConfig.Active cfg) {
    return switch (cfg.type()) {
      case HTTP -> new HttpProbe(http, cfg, clock);
      case TCP -> new TcpProbe(tcp, cfg.timeout(), clock);
      case GRPC -> grpc(cfg);
    };
  }

  private Probe grpc(HealthConfig.Active cfg) {
    if (cfg.tls() == null) {
      return new GrpcProbe(h2c, cfg, clock);
    }
    try {
      return new GrpcProbe(overTls(cfg.tls()), cfg, clock);
    } catch (CertificateProblem p) {
      // Checked when the configuration was loaded; the CA file changed since. Each probe says so until it loads.
      String detail = "backend TLS " + p.field() + ": " + p.getMessage();
      return target -> Future.succeededFuture(ProbeResult.failed(detail, Duration.ZERO));
    }
  }

  private synchronized HttpClientAgent overTls(BackendTlsConfig tls) throws CertificateProblem {
    HttpClientAgent client = h2.get(tls);
    if (client == null) {
      HttpClientOptions options = http2().setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2));
      BackendTls.applyTo(options, tls);
      options.setVerifyHost(!tls.trustAll()).setForceSni(true);
      client = vertx.createHttpClient(options);
      h2.put(tls, client);
    }
    return client;
  }

  private static HttpClientOptions http2() {
    return new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
  }

  @Override
  public synchronized void close() {
    http.close();
    tcp.close();
    h2c.close();
    h2.values().forEach(HttpClient::close);
    h2.clear();
  }
}
