package io.tandem.bootstrap;

import io.tandem.config.ConfigError;
import io.tandem.config.ConfigException;
import io.tandem.config.ListenerConfig;
import io.tandem.config.TandemConfig;
import io.vertx.core.Future;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Loads a configuration, starts a node, installs the signal handlers and waits until the node has stopped; shared
 * by {@code tandem --config} and {@code tandem demo}. Each part that touches the outside world is a constructor
 * argument so that tests replace it.
 *
 * @param configFiles how a {@code --config} path and {@code --node} id become a source ({@link ConfigSource#file} in
 *                    production)
 * @param starter     starts a node ({@link TandemNode#start} in production)
 * @param signals     installs the signal handlers for a started node ({@link Signals#install} in production)
 */
record Launcher(ConfigFiles configFiles, Starter starter, Consumer<NodeProcess> signals) {
  private static final Logger LOG = LogManager.getLogger(Launcher.class);

  /** Starts a node; the future fails, naming the listener and address, when a listener cannot bind. */
  @FunctionalInterface
  interface Starter {
    Future<RunningNode> start(TandemConfig config);
  }

  /** Opens a configuration file for a node; {@code nodeId} is null when {@code --node} is not given. */
  @FunctionalInterface
  interface ConfigFiles {
    ConfigSource open(Path file, String nodeId);
  }

  static Launcher production() {
    return new Launcher(ConfigSource::file, Launcher::startTandemNode, Signals::install);
  }

  /**
   * Runs a node from {@code source} until it stops and returns the process exit code. {@code onStarted} runs once
   * the listeners are bound (the demo prints its instructions there).
   */
  int run(ConfigSource source, PrintWriter err, Consumer<NodeProcess> onStarted) {
    TandemConfig config;
    try {
      config = source.read();
    } catch (ConfigException e) {
      printErrors(err, source, e);
      return ExitCodes.BAD_CONFIG;
    }
    RunningNode node;
    try {
      node = await(starter.start(config));
    } catch (Exception e) {
      // Everything started has been released by now; the log pipeline gets the reason as well as the terminal.
      LOG.error("failed to start: {}", describe(e));
      err.println("tandem: failed to start: " + describe(e));
      err.flush();
      return ExitCodes.START_FAILED;
    }
    for (ListenerConfig listener : node.config().listeners()) {
      LOG.info("listener {} ({}) bound to {}:{}", listener.name(), listener.protocol().name().toLowerCase(Locale.ROOT),
          listener.host(), node.port(listener.name()));
    }
    NodeProcess process = new NodeProcess(source, node);
    LOG.info("started with {}", source.name());
    signals.accept(process);
    onStarted.accept(process);
    try {
      return await(process.exited());
    } catch (Exception e) {
      throw new IllegalStateException("exit future failed", e); // never completed with a failure
    }
  }

  /** Prints every error of {@code e}, one per line, then a summary line (like {@code nginx -t}). */
  static void printErrors(PrintWriter err, ConfigSource source, ConfigException e) {
    for (ConfigError error : e.errors()) {
      err.println(error);
    }
    err.println(source.name() + ": configuration test failed (" + e.errors().size() + " error(s))");
    err.flush();
  }

  /** Blocks the calling (non event-loop) thread until {@code future} completes. */
  static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException | CompletionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getName() : e.getMessage();
  }

  private static Future<RunningNode> startTandemNode(TandemConfig config) {
    return TandemNode.start(config).map(node -> node);
  }
}
