package io.tandem.health;

import io.tandem.config.HealthConfig;
import io.tandem.util.Clock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.NetClient;

/**
 * Builds the {@link Probe} of a pool's active check config. Owns one HTTP client (no keep-alive: every probe opens a
 * fresh connection, as a new client would) and one TCP client, shared by all probes it builds; {@link #close()} closes
 * them. Use {@code probes::forConfig} as the probe factory of an {@link ActiveHealthChecker}.
 */
public final class Probes implements AutoCloseable {
  private final HttpClient http;
  private final NetClient tcp;
  private final Clock clock;

  public Probes(Vertx vertx) {
    this(vertx, Clock.SYSTEM);
  }

  public Probes(Vertx vertx, Clock clock) {
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    this.tcp = vertx.createNetClient();
    this.clock = clock;
  }

  public Probe forConfig(HealthConfig.Active cfg) {
    return switch (cfg.type()) {
      case HTTP -> new HttpProbe(http, cfg, clock);
      case TCP -> new TcpProbe(tcp, cfg.timeout(), clock);
    };
  }

  @Override
  public void close() {
    http.close();
    tcp.close();
  }
}
