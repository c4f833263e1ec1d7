package io.tandem.proxy.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.tandem.tls.TlsFacts;
import java.net.InetSocketAddress;

/**
 * Sets up each HTTP/3 request stream of a listener: its TLS facts (from the QUIC connection's engine), an
 * {@link H3Stream} and, behind it, an {@link Http1Connection} on the event loop's {@link Http1Loop}, so the request
 * is one more exchange of Tandem's HTTP path. A request that arrives before the handshake completed came in 0-RTT
 * data.
 */
@ChannelHandler.Sharable
final class H3Streams extends ChannelInitializer<QuicStreamChannel> {
  private final ListenerRuntime runtime;
  private final Http1Loop h1;

  H3Streams(ListenerRuntime runtime, Http1Loop h1) {
    this.runtime = runtime;
    this.h1 = h1;
  }

  @Override
  protected void initChannel(QuicStreamChannel ch) {
    QuicChannel quic = ch.parent();
    TlsFacts.attach(ch, quic.sslEngine());
    String ip = quic.remoteSocketAddress() instanceof InetSocketAddress a && a.getAddress() != null
        ? a.getAddress().getHostAddress() : "-";
    runtime.http3().stream();
    Http1Connection conn = new Http1Connection(h1, new ConnectionGuard(ch, h1.clock()), ip).viaHttp3();
    ch.pipeline().addLast("h3", new H3Stream(runtime, ip, !quic.isActive())).addLast("handler", conn);
  }
}
