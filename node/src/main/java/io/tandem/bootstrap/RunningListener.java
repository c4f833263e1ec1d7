package io.tandem.bootstrap;

import io.tandem.config.ListenerConfig;
import io.tandem.proxy.ListenerState;
import io.tandem.proxy.http.ListenerRuntime;
import io.tandem.proxy.tcp.TcpListenerRuntime;
import io.tandem.tls.ServerTls;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bound listener of {@link Listeners}: HTTP or TCP, each with the runtime of its protocol. {@code config} is the
 * configuration it was started with (a reload that keeps the socket updates the runtime, not this); {@code tlsTimer}
 * holds the id of its certificate-file check timer (-1: none).
 */
sealed interface RunningListener {

  ListenerConfig config();

  String deploymentId();

  int port();

  AtomicLong tlsTimer();

  /** The protocol-independent side of the listener's runtime. */
  ListenerState state();

  default ServerTls tls() {
    return state().tls();
  }

  default void update(ListenerConfig lc, boolean accessLog, long drainMillis) {
    state().update(lc, accessLog);
    state().drainMillis(drainMillis);
  }

  record HttpListener(ListenerConfig config, ListenerRuntime runtime, String deploymentId, int port,
      AtomicLong tlsTimer) implements RunningListener {
    @Override
    public ListenerState state() {
      return runtime;
    }
  }

  record TcpListener(ListenerConfig config, TcpListenerRuntime runtime, String deploymentId, int port,
      AtomicLong tlsTimer) implements RunningListener {
    @Override
    public ListenerState state() {
      return runtime;
    }
  }
}
