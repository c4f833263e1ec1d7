package io.tandem.health;

import io.tandem.config.BackendTlsConfig;
import io.tandem.config.HealthConfig;
import io.tandem.util.Clock;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * gRPC check: calls {@code grpc.health.v1.Health/Check} for the configured service over HTTP/2 (cleartext with prior
 * knowledge, or TLS with ALPN {@code h2} when the pool has backend TLS) and passes only on {@code SERVING}. Any other
 * answer fails with what was seen: the serving status, a grpc-status other than OK, an HTTP status other than 200, an
 * answer that is not gRPC, a malformed message. Each probe opens a connection of its own and closes it when done, as
 * {@link HttpProbe} does; the timeout covers connect, handshake, answer and trailers.
 *
 * <p>A connection whose server accepted it but never sent its HTTP/2 settings cannot be closed from here: Vert.x
 * hands it over only once they arrive, and its idle timeout does not run before. So while one such attempt to a
 * backend is still waiting, later probes of that backend fail at once instead of opening more; the attempt ends when
 * the server answers (the connection is then closed) or closes it.
 */
public final class GrpcProbe implements Probe {
  private static final int MAX_ANSWER = 64 * 1024;
  private static final String HTTP_SLASH_HEX = "485454502f"; // "HTTP/", as Netty dumps the first bytes
  private static final String STILL_CONNECTING =
      "no HTTP/2 settings yet from the server on the connection an earlier probe opened";

  private final HttpClientAgent client;
  private final BackendTlsConfig tls;
  private final Buffer request;
  private final Duration timeout;
  private final Clock clock;
  private final Map<SocketAddress, Future<HttpClientConnection>> connecting = new ConcurrentHashMap<>();

  /** {@code client} speaks HTTP/2, with TLS when {@code cfg.tls()} is set, and is owned by the caller (see {@link Probes}). */
  public GrpcProbe(HttpClientAgent client, HealthConfig.Active cfg, Clock clock) {
    this.client = client;
    this.tls = cfg.tls();
    this.request = GrpcHealthCodec.request(cfg.service() == null ? "" : cfg.service());
    this.timeout = cfg.timeout();
    this.clock = clock;
  }

  @Override
  public Future<ProbeResult> probe(ProbeTarget target) {
    long start = clock.nanoTime();
    long ms = Math.max(1, timeout.toMillis());
    SocketAddress address = target.address();
    if (connecting.containsKey(address)) {
      return Future.succeededFuture(ProbeResult.failed(STILL_CONNECTING, Duration.ZERO));
    }
    Future<Verdict> exchange;
    try {
      Future<HttpClientConnection> connected = client.connect(new HttpConnectOptions()
          .setServer(address)
          .setHost(tls != null && tls.serverName() != null ? tls.serverName() : target.host()) // SNI, certificate name
          .setPort(target.port())
          .setConnectTimeout(ms));
      connecting.put(address, connected);
      connected.onComplete(ignored -> connecting.remove(address, connected));
      Future<Verdict> call = connected.compose(c -> call(c, ms)).timeout(ms, TimeUnit.MILLISECONDS);
      connected.onSuccess(c -> call.onComplete(ignored -> c.close())); // also when it connects after the timeout
      exchange = call;
    } catch (RuntimeException e) {
      exchange = Future.failedFuture(e);
    }
    return exchange.transform(ar -> {
      Duration latency = Duration.ofNanos(clock.nanoTime() - start);
      return Future.succeededFuture(ar.succeeded()
          ? new ProbeResult(ar.result().ok(), ar.result().detail(), latency)
          : failed(ar.cause(), latency));
    });
  }

  private ProbeResult failed(Throwable error, Duration latency) {
    String message = String.valueOf(error.getMessage());
    if (message.startsWith("First received frame was not SETTINGS")) { // Netty, on the server's first bytes
      return ProbeResult.failed(message.endsWith(HTTP_SLASH_HEX)
          ? "not an HTTP/2 server: it answered in HTTP/1.x"
          : "not an HTTP/2 server: its first frame was not SETTINGS", latency);
    }
    return ProbeResult.failed(error, timeout, latency);
  }

  private record Verdict(boolean ok, String detail) {}

  private Future<Verdict> call(HttpClientConnection connection, long ms) {
    return connection.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(GrpcHealthCodec.PATH))
        .compose(req -> {
          if (req.version() != HttpVersion.HTTP_2) {
            return Future.succeededFuture(new Verdict(false, "the backend did not agree to HTTP/2 (ALPN chose "
                + req.version() + ")"));
          }
          req.putHeader("content-type", "application/grpc")
              .putHeader("te", "trailers")
              .putHeader("grpc-timeout", Math.min(ms, 99_999_999) + "m");
          return req.send(request).compose(this::judge); // judged in send()'s callback, before the response can end
        });
  }

  private Future<Verdict> judge(HttpClientResponse resp) {
    if (resp.statusCode() != 200) {
      return Future.succeededFuture(new Verdict(false, "http status " + resp.statusCode()));
    }
    String type = resp.getHeader("content-type");
    if (!GrpcHealthCodec.isGrpcContentType(type)) {
      return Future.succeededFuture(new Verdict(false, "not a gRPC answer: "
          + (type == null ? "no content-type" : "content-type " + type)));
    }
    Promise<Verdict> verdict = Promise.promise();
    Buffer body = Buffer.buffer();
    resp.handler(chunk -> {
      if (body.length() + chunk.length() > MAX_ANSWER) {
        verdict.tryComplete(new Verdict(false, "answer longer than " + MAX_ANSWER + " bytes"));
      } else {
        body.appendBuffer(chunk);
      }
    });
    resp.exceptionHandler(verdict::tryFail);
    resp.endHandler(ignored -> verdict.tryComplete(verdict(resp, body)));
    return verdict.future();
  }

  private static Verdict verdict(HttpClientResponse resp, Buffer body) {
    String code = resp.getTrailer("grpc-status");
    String message = resp.getTrailer("grpc-message");
    if (code == null) { // a trailers-only answer carries them in its headers
      code = resp.getHeader("grpc-status");
      message = resp.getHeader("grpc-message");
    }
    if (code == null) {
      return new Verdict(false, "malformed answer: no grpc-status");
    }
    if (!code.equals("0")) {
      return new Verdict(false, GrpcHealthCodec.describeStatus(code, message));
    }
    try {
      int status = GrpcHealthCodec.status(body);
      return new Verdict(status == GrpcHealthCodec.SERVING, "status " + GrpcHealthCodec.statusName(status));
    } catch (GrpcHealthCodec.Malformed e) {
      return new Verdict(false, "malformed answer: " + e.getMessage());
    }
  }
}
