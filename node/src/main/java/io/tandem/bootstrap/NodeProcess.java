package io.tandem.bootstrap;

import io.tandem.admin.ReloadResult;
import io.tandem.config.ConfigError;
import io.tandem.config.ConfigException;
import io.tandem.config.TandemConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The running process around one node: what {@code SIGHUP}, {@code SIGTERM} and {@code SIGINT} do
 * ({@link Signals} only forwards to {@link #reload()} and {@link #stop()}). Control plane only: methods may block on
 * reading the configuration file and are called from signal threads, never from an event loop.
 */
public final class NodeProcess {
  private static final Logger LOG = LogManager.getLogger(NodeProcess.class);

  private final ConfigSource source;
  private final RunningNode node;
  private final Promise<Integer> exit = Promise.promise();
  private boolean stopping; // guarded by this

  public NodeProcess(ConfigSource source, RunningNode node) {
    this.source = source;
    this.node = node;
    if (node instanceof TandemNode tandem && tandem.admin() != null) {
      tandem.admin().reloader(this::reloadForAdmin);
    }
  }

  /** {@link #reload()} as the admin API reports it: applied, or the configuration errors, or why it failed. */
  Future<ReloadResult> reloadForAdmin() {
    return reload().transform(ar -> Future.succeededFuture(ar.succeeded() ? ReloadResult.applied()
        : ar.cause() instanceof ConfigException e ? ReloadResult.rejected(e.errors())
        : ReloadResult.failed(String.valueOf(ar.cause().getMessage()))));
  }

  /**
   * Reads the configuration again and hands it to the node. An invalid file is logged error by error and the
   * configuration in force stays. The future fails when nothing changed.
   */
  public synchronized Future<Void> reload() {
    if (stopping) {
      LOG.warn("reload ignored: the node is stopping");
      return Future.failedFuture("stopping");
    }
    TandemConfig next;
    try {
      next = source.read();
    } catch (ConfigException e) {
      for (ConfigError error : e.errors()) {
        LOG.error("reload rejected: {}", error);
      }
      LOG.error("reload rejected: {} error(s) in {}; keeping the configuration in force",
          e.errors().size(), source.name());
      return Future.failedFuture(e);
    }
    return node.reload(next)
        .onSuccess(v -> LOG.info("reloaded {}", source.name()))
        .onFailure(e -> LOG.error("reload of {} failed; keeping the configuration in force: {}",
            source.name(), e.getMessage()));
  }

  /**
   * First call: graceful stop, draining for the configured {@code node.drain-timeout}; {@link #exited()} then
   * completes with 0. A second call during the drain gives up waiting: {@link #exited()} completes at once with
   * {@link ExitCodes#UNCLEAN_STOP}.
   */
  public synchronized void stop() {
    if (stopping) {
      LOG.warn("second stop request: exiting without waiting for the drain to finish");
      exit.tryComplete(ExitCodes.UNCLEAN_STOP);
      return;
    }
    stopping = true;
    Duration drain = node.config().node().drainTimeout();
    LOG.info("stopping: draining in-flight requests for at most {} ms", drain.toMillis());
    Future<Void> shutdown;
    try {
      shutdown = node.shutdown(drain);
    } catch (RuntimeException e) {
      shutdown = Future.failedFuture(e);
    }
    shutdown.onComplete(ar -> {
      if (ar.succeeded()) {
        LOG.info("stopped");
        exit.tryComplete(ExitCodes.OK);
      } else {
        LOG.error("shutdown failed: {}", ar.cause().toString());
        exit.tryComplete(ExitCodes.UNCLEAN_STOP);
      }
    });
  }

  /** Completes with the process exit code once the node has stopped (or a second stop request gave up on it). */
  public Future<Integer> exited() {
    return exit.future();
  }

  /** The node this process runs. */
  public RunningNode node() {
    return node;
  }
}
