package io.tandem.proxy.h2;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.tandem.config.BackendTlsConfig;
import io.tandem.config.PoolConfig;
import io.tandem.tls.BackendTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * One event loop's HTTP/2 connections to one pool's backends (Envoy's per-worker HTTP/2 connection pool). A request
 * takes a stream on the backend's least busy connection that has room; when all are full a new connection is opened,
 * up to {@code max-connections} per backend; beyond that the request waits for a stream to end. A connection that
 * received GOAWAY takes no new stream and closes when its last one ends. No lock and no hand-off: the requests and the
 * connections live on the same loop. Confined to the loop.
 *
 * <pre>{@code
 * H2Connections.Wait w = pool.stream(backend.inetAddress(), owner, (stream, err) -> ...);   // at once or later
 * w.cancel();                                  // the request ended while waiting
 * }</pre>
 */
public final class H2Connections {
  /** Opens a TCP connection on the loop with {@code handler} as its pipeline. */
  @FunctionalInterface
  public interface Connector {
    ChannelFuture connect(SocketAddress address, int connectTimeoutMillis, ChannelHandler handler);
  }

  /** A request waiting for a stream; cancel it when the request ends first. */
  public static final class Wait {
    private final H2Stream.Owner owner;
    private final BiConsumer<H2Stream, Throwable> done;
    private boolean over;

    Wait(H2Stream.Owner owner, BiConsumer<H2Stream, Throwable> done) {
      this.owner = owner;
      this.done = done;
    }

    public void cancel() {
      over = true;
    }

    void complete(H2Stream s, Throwable err) {
      if (!over) {
        over = true;
        done.accept(s, err);
      } else if (s != null) {
        s.cancel();
      }
    }
  }

  /**
   * A new connection to a backend that sent GOAWAY could not be made: it is going away (shutting down), so the
   * request may go elsewhere as one it refused.
   */
  public static final class GoneAway extends IOException {
    GoneAway(Throwable cause) {
      super("backend went away (GOAWAY) and takes no new connection: " + cause.getMessage(), cause);
    }
  }

  /** One backend's connections and the requests waiting for a stream on them. */
  private static final class Endpoint {
    final List<H2Connection> connections = new ArrayList<>(2);
    final ArrayDeque<Wait> waiting = new ArrayDeque<>();
  }

  /** How long a GOAWAY makes later connect failures to that backend count as its going away. */
  private static final long GONE_AWAY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

  private static final Wait DONE = new Wait(null, null);

  private final Connector connector;
  private final PoolConfig.Http2 settings;
  private final int connectTimeoutMillis;
  private final long idleNanos;
  private final SslContext ssl;
  private final BackendTlsConfig tls;
  private final Map<InetSocketAddress, Endpoint> endpoints = new HashMap<>();
  private final Map<H2Connection, InetSocketAddress> where = new HashMap<>();
  private final Map<InetSocketAddress, Long> wentAway = new HashMap<>();   // when a GOAWAY came, until a new connection
  private boolean closed;

  /**
   * @param ssl the TLS context for {@code h2} backends (ALPN offering h2), or null for {@code h2c}
   */
  public H2Connections(Connector connector, PoolConfig pool, SslContext ssl) {
    this.connector = connector;
    this.settings = pool.http2();
    this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, pool.timeouts().connect().toMillis());
    this.idleNanos = Math.max(1, pool.timeouts().idle().toNanos());
    this.ssl = ssl;
    this.tls = pool.tls();
  }

  /** Finds (or opens) a connection with room for a stream to {@code address}; {@code done} gets the stream. */
  public Wait stream(InetSocketAddress address, H2Stream.Owner owner, BiConsumer<H2Stream, Throwable> done) {
    if (closed) {
      done.accept(null, new IOException("HTTP/2 connections of this pool are closed"));
      return DONE;
    }
    Endpoint e = endpoints.computeIfAbsent(address, a -> new Endpoint());
    H2Connection c = e.waiting.isEmpty() ? leastBusy(e) : null;
    if (c != null) {
      c.open(owner, done);
      return DONE;
    }
    Wait w = new Wait(owner, done);
    e.waiting.add(w);
    int room = 0;
    for (H2Connection x : e.connections) {
      room += x.isReady() ? 0 : x.spare();   // what connections still connecting are assumed to take
    }
    if (e.connections.size() < settings.maxConnections() && room < e.waiting.size()) {
      dial(address, e);
    }
    return w;
  }

  private static H2Connection leastBusy(Endpoint e) {
    H2Connection best = null;
    for (H2Connection c : e.connections) {
      if (c.isReady() && c.spare() > 0 && (best == null || c.active() < best.active())) {
        best = c;
      }
    }
    return best;
  }

  private void dial(InetSocketAddress address, Endpoint e) {
    long pingInterval = settings.pingInterval() == null ? 0 : settings.pingInterval().toNanos();
    H2Connection conn = new H2Connection(this, pingInterval, settings.pingTimeout().toNanos(), idleNanos);
    e.connections.add(conn);
    where.put(conn, address);
    ChannelFuture f = connector.connect(address, connectTimeoutMillis, new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        conn.attach(ch);
        if (ssl != null) {
          ch.pipeline().addLast("ssl", BackendTls.handler(ssl, tls, ch.alloc(), address.getHostString(),
              address.getPort()));
        }
        Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
            .initialSettings(Http2Settings.defaultSettings().pushEnabled(false).initialWindowSize(1024 * 1024)
                .maxHeaderListSize(64 * 1024))
            .validateHeaders(false)
            .build();
        ch.pipeline().addLast("heard", conn.new Heard());
        ch.pipeline().addLast("h2", codec);
        ch.pipeline().addLast("streams", new Http2MultiplexHandler(new Refuse()));
        ch.pipeline().addLast("connection", conn);
      }
    });
    // A backend that takes the connection but never says SETTINGS (not HTTP/2, or hung) fails it like a connect.
    f.channel().eventLoop().schedule(() -> {
      if (!conn.isReady() && where.containsKey(conn)) {
        failed(conn, new IOException("no HTTP/2 SETTINGS from the backend within " + connectTimeoutMillis + " ms"));
      }
    }, Math.max(1, connectTimeoutMillis), java.util.concurrent.TimeUnit.MILLISECONDS);
    f.addListener(result -> {
      if (!result.isSuccess()) {
        failed(conn, result.cause());
      } else if (ssl == null) {
        up(conn);
      } else {
        SslHandler h = f.channel().pipeline().get(SslHandler.class);
        h.handshakeFuture().addListener(hs -> {
          if (!hs.isSuccess()) {
            failed(conn, hs.cause());
          } else if (!ApplicationProtocolNames.HTTP_2.equals(h.applicationProtocol())) {
            failed(conn, new IOException("backend did not choose h2 by ALPN (got " + h.applicationProtocol() + ")"));
          } else {
            up(conn);
          }
        });
      }
    });
  }

  private void up(H2Connection conn) {
    if (closed) {
      conn.channel().close();
      return;
    }
    conn.transportUp();
  }

  /** A connection's transport is up and the backend's SETTINGS arrived: it takes streams. */
  void ready(H2Connection conn) {
    InetSocketAddress address = where.get(conn);
    if (address != null) {
      wentAway.remove(address);
    }
    changed(conn);
  }

  /** A connection received GOAWAY. */
  void wentAway(H2Connection conn) {
    InetSocketAddress address = where.get(conn);
    if (address != null) {
      wentAway.put(address, System.nanoTime());
    }
    changed(conn);
  }

  /** A connection could not be made: the requests waiting go back as connect failures, unless others can serve. */
  private void failed(H2Connection conn, Throwable cause) {
    InetSocketAddress address = where.remove(conn);
    if (conn.channel() != null) {
      conn.channel().close();
    }
    Endpoint e = address == null ? null : endpoints.get(address);
    if (e == null) {
      return;
    }
    e.connections.remove(conn);
    Long since = wentAway.get(address);
    if (since != null && System.nanoTime() - since < GONE_AWAY_NANOS) {
      cause = new GoneAway(cause);
    }
    int room = 0;
    for (H2Connection x : e.connections) {
      room += x.spare();
    }
    // Requests beyond what the remaining connections may take fail now (their attempt tries another backend).
    while (e.waiting.size() > room) {
      e.waiting.pollLast().complete(null, cause);
    }
    forgetIfEmpty(address, e);
  }

  /** A connection's room changed (ready, SETTINGS, a stream ended, GOAWAY): waiting requests are served. */
  void changed(H2Connection conn) {
    InetSocketAddress address = where.get(conn);
    Endpoint e = address == null ? null : endpoints.get(address);
    if (e == null) {
      return;
    }
    while (!e.waiting.isEmpty()) {
      H2Connection c = leastBusy(e);
      if (c == null) {
        break;
      }
      Wait w = e.waiting.poll();
      if (!w.over) {
        c.open(w.owner, w::complete);
      }
    }
    if (!e.waiting.isEmpty() && !closed) {
      int room = 0;
      for (H2Connection x : e.connections) {
        room += x.isReady() ? 0 : x.spare();
      }
      if (e.connections.size() < settings.maxConnections() && room < e.waiting.size()) {
        dial(address, e);
      }
    }
  }

  /** A connection closed: forgotten; requests waiting on it are served elsewhere or a new one is dialled. */
  void closed(H2Connection conn) {
    InetSocketAddress address = where.get(conn);
    if (address == null) {
      return;
    }
    Endpoint e = endpoints.get(address);
    if (e != null && !conn.isReady()) {
      failed(conn, new IOException("backend closed the HTTP/2 connection before it was ready"));
      return;
    }
    where.remove(conn);
    if (e != null) {
      e.connections.remove(conn);
      if (!e.waiting.isEmpty() && !closed && e.connections.size() < settings.maxConnections()) {
        dial(address, e);
      }
      forgetIfEmpty(address, e);
    }
  }

  private void forgetIfEmpty(InetSocketAddress address, Endpoint e) {
    if (e.connections.isEmpty() && e.waiting.isEmpty()) {
      endpoints.remove(address);
    }
  }

  /** Connections open (a test and the metrics look). */
  public int connections(InetSocketAddress address) {
    Endpoint e = endpoints.get(address);
    return e == null ? 0 : e.connections.size();
  }

  /**
   * Takes no new request and lets the streams in flight finish (a reload changed the pool's connection settings):
   * requests still waiting are failed (their attempts try again on the new connections), each connection closes
   * when its last stream ends.
   */
  public void drain() {
    closed = true;
    for (Endpoint e : List.copyOf(endpoints.values())) {
      for (Wait w : e.waiting) {
        w.complete(null, new IOException("HTTP/2 connections of this pool were replaced"));
      }
      e.waiting.clear();
      for (H2Connection c : List.copyOf(e.connections)) {
        c.retire();
      }
    }
  }

  /** Closes every connection at once, streams and all (the listener stops on this loop, after its drain). */
  public void closeAll() {
    closed = true;
    for (Endpoint e : List.copyOf(endpoints.values())) {
      for (Wait w : e.waiting) {
        w.complete(null, new IOException("HTTP/2 connections of this pool are closed"));
      }
      e.waiting.clear();
      for (H2Connection c : List.copyOf(e.connections)) {
        if (c.channel() != null) {
          c.channel().close();
        }
      }
    }
  }

  /** Streams the backend opens (server push is off, so none should come): refused. */
  private static final class Refuse extends ChannelInboundHandlerAdapter {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      ctx.channel().close();
    }
  }

}
