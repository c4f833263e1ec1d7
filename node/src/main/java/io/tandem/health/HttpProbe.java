package io.tandem.health;

import io.tandem.config.HealthConfig;
import io.tandem.util.Clock;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * HTTP check: sends {@code method path} with the configured Host header (or the backend's host:port) and expects a
 * status in range and, optionally, a body containing a text. The timeout covers connect, response and body.
 */
public final class HttpProbe implements Probe {
  private final HttpClient client;
  private final Clock clock;
  private final HttpMethod method;
  private final String path;
  private final String host;
  private final int statusMin;
  private final int statusMax;
  private final String expectBody;
  private final Duration timeout;

  /** {@code client} is owned by the caller and should not keep connections alive (see {@link Probes}). */
  public HttpProbe(HttpClient client, HealthConfig.Active cfg, Clock clock) {
    this.client = client;
    this.clock = clock;
    this.method = HttpMethod.valueOf(cfg.method());
    this.path = cfg.path();
    this.host = cfg.host();
    this.statusMin = cfg.expectStatusMin();
    this.statusMax = cfg.expectStatusMax();
    this.expectBody = cfg.expectBody();
    this.timeout = cfg.timeout();
  }

  @Override
  public Future<ProbeResult> probe(ProbeTarget target) {
    long start = clock.nanoTime();
    long ms = Math.max(1, timeout.toMillis());
    AtomicReference<HttpClientRequest> request = new AtomicReference<>();
    Future<Verdict> exchange;
    try {
      RequestOptions options = new RequestOptions()
          .setMethod(method)
          .setServer(target.address())
          .setURI(path)
          .setConnectTimeout(ms)
          .setIdleTimeout(ms);
      exchange = client.request(options)
          .compose(req -> {
            request.set(req);
            req.authority(host != null ? authority(host) : HostAndPort.create(target.host(), target.port()));
            req.putHeader("Connection", "close");
            return req.send().compose(this::judge); // judged in send()'s callback, before the response can end
          })
          .timeout(ms, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      exchange = Future.failedFuture(e);
    }
    return exchange.transform(ar -> {
      Duration latency = Duration.ofNanos(clock.nanoTime() - start);
      if (ar.succeeded()) {
        return Future.succeededFuture(new ProbeResult(ar.result().ok(), ar.result().detail(), latency));
      }
      HttpClientRequest req = request.get();
      if (req != null) {
        req.reset();
      }
      return Future.succeededFuture(ProbeResult.failed(ar.cause(), timeout, latency));
    });
  }

  private record Verdict(boolean ok, String detail) {}

  private Future<Verdict> judge(HttpClientResponse resp) {
    int status = resp.statusCode();
    Verdict byStatus = new Verdict(status >= statusMin && status <= statusMax, "status " + status);
    if (!byStatus.ok()) {
      return resp.end().transform(ignored -> Future.succeededFuture(byStatus)); // the status is reason enough
    }
    if (expectBody == null) {
      return resp.end().map(byStatus); // an unread body is dropped
    }
    return resp.body().map(body -> body.toString().contains(expectBody)
        ? byStatus
        : new Verdict(false, "body does not contain '" + expectBody + "'"));
  }

  private static HostAndPort authority(String configured) {
    HostAndPort parsed = HostAndPort.parseAuthority(configured, -1);
    return parsed != null ? parsed : HostAndPort.create(configured, -1);
  }
}
