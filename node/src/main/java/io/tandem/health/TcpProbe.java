package io.tandem.health;

import io.tandem.util.Clock;
import io.vertx.core.Future;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** TCP check: the backend passes when a connection opens within the timeout; the connection is closed at once. */
public final class TcpProbe implements Probe {
  private final NetClient client;
  private final Duration timeout;
  private final Clock clock;

  /** {@code client} is owned by the caller. */
  public TcpProbe(NetClient client, Duration timeout, Clock clock) {
    this.client = client;
    this.timeout = timeout;
    this.clock = clock;
  }

  @Override
  public Future<ProbeResult> probe(ProbeTarget target) {
    long start = clock.nanoTime();
    int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    Future<Void> connected;
    try {
      connected = client.connect(new ConnectOptions().setRemoteAddress(target.address()).setTimeout(ms))
          .timeout(ms, TimeUnit.MILLISECONDS)
          .compose(socket -> {
            socket.close();
            return Future.succeededFuture();
          });
    } catch (RuntimeException e) {
      connected = Future.failedFuture(e);
    }
    return connected.transform(ar -> {
      Duration latency = Duration.ofNanos(clock.nanoTime() - start);
      return Future.succeededFuture(ar.succeeded()
          ? ProbeResult.passed("connected", latency)
          : ProbeResult.failed(ar.cause(), timeout, latency));
    });
  }
}
