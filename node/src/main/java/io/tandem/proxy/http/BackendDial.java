package io.tandem.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.tandem.config.BackendTlsConfig;
import io.tandem.proxy.h1.BackendConnections;
import io.tandem.tls.BackendTls;
import io.tandem.upstream.Backend;
import io.tandem.upstream.PoolSnapshot;
import java.io.IOException;
import java.util.function.BiConsumer;

/**
 * Opens a new HTTP/1.1 connection to a backend on the loop of {@code idle} (TLS when the pool re-encrypts: SNI and
 * hostname verification as the pool says), with an {@link Http1Upstream} at the end of its pipeline. Both the
 * client's exchange and a mirrored copy dial this way.
 */
final class BackendDial {
  private BackendDial() {}

  /** Calls {@code done} on the loop with the upstream, and the failure or null once it can carry a request. */
  static void open(ListenerRuntime listener, BackendConnections idle, PoolSnapshot pool, Backend b,
      BiConsumer<Http1Upstream, Throwable> done) {
    BackendTlsConfig tlsConfig = pool.config().tls();
    SslContext ssl = tlsConfig == null ? null : listener.clients().ssl(pool.name());
    Http1Upstream up = new Http1Upstream(idle, b.inetAddress());
    if (tlsConfig != null && ssl == null) {
      done.accept(up, new IOException("no TLS context for pool " + pool.name()));
      return;
    }
    ChannelFuture f = idle.connect(b.inetAddress(), (int) pool.config().timeouts().connect().toMillis(),
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            if (ssl != null) {
              ch.pipeline().addLast("ssl", BackendTls.handler(ssl, tlsConfig, ch.alloc(), b.host(), b.port()));
            }
            ch.pipeline().addLast("upstream", up);
          }
        });
    f.addListener(result -> {
      if (!result.isSuccess()) {
        done.accept(up, result.cause());
      } else if (ssl == null) {
        done.accept(up, null);
      } else {
        f.channel().pipeline().get(SslHandler.class).handshakeFuture()
            .addListener(hs -> done.accept(up, hs.isSuccess() ? null : hs.cause()));
      }
    });
  }
}
