package io.tandem.bootstrap;

import java.util.List;
import sun.misc.Signal;

/**
 * Unix signals for a running node, like nginx and HAProxy: {@code SIGHUP} reloads the configuration,
 * {@code SIGTERM} and {@code SIGINT} stop gracefully (a second one stops at once). The behaviour itself lives in
 * {@link NodeProcess}, where it is tested; this class only forwards.
 */
final class Signals {
  static final List<String> ALL = List.of("HUP", "TERM", "INT");

  private Signals() {}

  /** Installs handlers for every signal in {@link #ALL}, replacing the JVM's default exit on TERM and INT. */
  static void install(NodeProcess process) {
    install(process, ALL);
  }

  static void install(NodeProcess process, List<String> names) {
    for (String name : names) {
      Runnable action = "HUP".equals(name) ? process::reload : process::stop;
      Signal.handle(new Signal(name), signal -> action.run());
    }
  }
}
