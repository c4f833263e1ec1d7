package io.tandem.proxy.tcp;

import io.tandem.config.ListenerConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's share of a TCP listener: a Vert.x {@link NetServer} on the listener's address (Vert.x spreads the
 * accepted connections over the instances) and a {@link NetClient} for the backend connections, so that both sides
 * of a connection live on the same event loop. Each accepted connection becomes a {@link TcpConnection}.
 */
public final class TcpListenerVerticle extends VerticleBase {
  private final TcpListenerRuntime runtime;
  private final int port;
  private NetServer server;
  private NetClient client;

  /** @param port the port to bind: the configured one, or the one the first instance got for port 0 */
  public TcpListenerVerticle(TcpListenerRuntime runtime, int port) {
    this.runtime = runtime;
    this.port = port;
  }

  /** The server socket options of a TCP listener; the one place to add TLS options to. */
  static NetServerOptions serverOptions(ListenerConfig lc, int port) {
    return new NetServerOptions()
        .setHost(lc.host())
        .setPort(port)
        .setTcpNoDelay(true)
        .setReuseAddress(true)
        .setAcceptBacklog(1024);
  }

  @Override
  public Future<?> start() {
    client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
    server = vertx.createNetServer(serverOptions(runtime.config(), port));
    server.connectHandler(socket -> TcpConnection.accept(runtime, client, socket, context));
    return server.listen();
  }

  /** The bound port (after start). */
  public int actualPort() {
    return server.actualPort();
  }

  /** Stops accepting; open connections run for up to the drain time, then are closed. */
  @Override
  public Future<?> stop() {
    return server.shutdown(runtime.drainMillis(), TimeUnit.MILLISECONDS).eventually(() -> client.close());
  }
}
