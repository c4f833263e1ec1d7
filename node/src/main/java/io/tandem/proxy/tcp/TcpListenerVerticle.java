package io.tandem.proxy.tcp;

import io.tandem.config.ListenerConfig;
import io.tandem.util.Outcome;
import io.tandem.tls.ServerTls;
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
  private Runnable tlsRegistration;

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
    NetServerOptions options = serverOptions(runtime.config(), port);
    ServerTls tls = runtime.tls();
    if (tls != null) {
      // Terminate TLS and relay the plain bytes. No ALPN: the backend's protocol is unknown here, and offering h2
      // would let a client speak HTTP/2 to a backend that may only know HTTP/1.1.
      tls.applyTo(options);
      options.setUseAlpn(false);
    }
    server = vertx.createNetServer(options);
    if (tls != null) {
      NetServer s = server;
      tlsRegistration = tls.register(ssl -> s.updateSSLOptions(ssl.copy().setUseAlpn(false), true));
    }
    server.exceptionHandler(this::onServerException);
    server.connectHandler(socket -> TcpConnection.accept(runtime, client, socket, context));
    return server.listen();
  }

  /** A failed TLS handshake (not TLS, no common protocol, refused client certificate) is counted; closed. */
  private void onServerException(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLException || t instanceof io.netty.handler.ssl.NotSslRecordException) {
        runtime.record(Outcome.TLS_HANDSHAKE_FAILED, 0, 0);
        return;
      }
    }
  }

  /** The bound port (after start). */
  public int actualPort() {
    return server.actualPort();
  }

  /** Stops accepting; open connections run for up to the drain time, then are closed. */
  @Override
  public Future<?> stop() {
    if (tlsRegistration != null) {
      tlsRegistration.run();
    }
    return server.shutdown(runtime.drainMillis(), TimeUnit.MILLISECONDS).eventually(() -> client.close());
  }
}
