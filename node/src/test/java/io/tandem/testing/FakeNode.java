package io.tandem.testing;

import io.tandem.bootstrap.RunningNode;
import io.tandem.config.AccessLogConfig;
import io.tandem.config.ListenerConfig;
import io.tandem.config.NodeSettings;
import io.tandem.config.Protocol;
import io.tandem.config.TandemConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link RunningNode} that records calls; its shutdown completes when the test says so. */
public final class FakeNode implements RunningNode {
  public final List<TandemConfig> reloads = new CopyOnWriteArrayList<>();
  public final List<Duration> shutdowns = new CopyOnWriteArrayList<>();
  public final Promise<Void> shutdown = Promise.promise();
  public volatile Future<Void> reloadResult = Future.succeededFuture();
  private volatile TandemConfig config;
  private final int port;

  public FakeNode(TandemConfig config, int port) {
    this.config = config;
    this.port = port;
  }

  /** A configuration built in code: one listener "web" on 127.0.0.1, the given drain timeout. */
  public static TandemConfig config(Duration drain) {
    ListenerConfig web = new ListenerConfig("web", "127.0.0.1", 0, Protocol.HTTP, "default", List.of(), 1000,
        ListenerConfig.Timeouts.DEFAULTS, ListenerConfig.Limits.DEFAULTS, false);
    return new TandemConfig(null, TestConfigs.nodeSettings(0, drain), List.of(web), List.of(),
        AccessLogConfig.DEFAULTS);
  }

  @Override
  public Future<Void> reload(TandemConfig next) {
    reloads.add(next);
    return reloadResult.onSuccess(v -> config = next);
  }

  @Override
  public Future<Void> shutdown(Duration drain) {
    shutdowns.add(drain);
    return shutdown.future();
  }

  @Override
  public int port(String listenerName) {
    return port;
  }

  @Override
  public TandemConfig config() {
    return config;
  }
}
