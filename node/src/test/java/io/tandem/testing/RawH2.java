package io.tandem.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A raw HTTP/2 client (cleartext, prior knowledge) for tests that must break the rules a real client keeps: it writes
 * the frames it is told to, with no stream bookkeeping (streams beyond the server's limit, a reset right after each
 * open), and records what the server sends. Runs on the Vert.x instance's event loops; example:
 * <pre>{@code
 * try (RawH2 h2 = RawH2.connect(vertx, port)) {
 *   assertEquals(100, h2.settings().maxConcurrentStreams());
 *   h2.write(w -> { w.open(1, true); w.reset(1); });
 *   await().until(h2::closed);
 *   assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), h2.goAway());
 * }
 * }</pre>
 */
public final class RawH2 implements AutoCloseable {
  private final Frames frames = new Frames();
  private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
  private final String authority;
  private Channel channel;

  private RawH2(String authority) {
    this.authority = authority;
  }

  /** Connects, sends the connection preface and an empty SETTINGS, and acknowledges the server's SETTINGS. */
  public static RawH2 connect(Vertx vertx, int port) throws InterruptedException {
    RawH2 h2 = new RawH2("127.0.0.1:" + port);
    VertxInternal vx = (VertxInternal) vertx;
    ChannelFuture connected = new Bootstrap()
        .group(vx.nettyEventLoopGroup())
        .channelFactory(vx.transport().channelFactory(false))
        .handler(h2.frames)
        .connect("127.0.0.1", port);
    if (!connected.await(10, TimeUnit.SECONDS) || !connected.isSuccess()) {
      throw new IllegalStateException("cannot connect to " + port, connected.cause());
    }
    h2.channel = connected.channel();
    return h2.write(w -> {
      w.ctx.write(Http2CodecUtil.connectionPrefaceBuf());
      h2.writer.writeSettings(w.ctx, new Http2Settings(), w.ctx.newPromise());
    });
  }

  /** Writes frames in one task on the channel's event loop, flushed once at its end. */
  public RawH2 write(Consumer<Writer> frames) {
    try {
      channel.eventLoop().submit(() -> {
        Writer w = new Writer();
        frames.accept(w);
        w.ctx.flush();
      }).sync();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return this;
  }

  /** The server's first SETTINGS, or null before it arrived. */
  public Http2Settings settings() {
    return frames.settings;
  }

  /** The GOAWAY error code the server sent, or -1. */
  public long goAway() {
    return frames.goAway;
  }

  /** RST_STREAM error codes the server sent, by stream. */
  public Map<Integer, Long> resets() {
    return frames.resets;
  }

  /** The response headers the server sent, by stream. */
  public Map<Integer, Http2Headers> responses() {
    return frames.responses;
  }

  /** Whether the connection is closed. */
  public boolean closed() {
    return !channel.isActive();
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /** Writes the frames of one {@link #write}. */
  public final class Writer {
    private final ChannelHandlerContext ctx = frames.ctx;

    /** Opens stream {@code id} with {@code GET /raw/ID} and {@code extra} headers; ends it when {@code end}. */
    public Writer open(int id, boolean end, Map<String, String> extra) {
      Http2Headers h = new DefaultHttp2Headers().method("GET").path("/raw/" + id).scheme("http").authority(authority);
      extra.forEach(h::add);
      writer.writeHeaders(ctx, id, h, 0, end, ctx.newPromise());
      return this;
    }

    public Writer open(int id, boolean end) {
      return open(id, end, Map.of());
    }

    /** RST_STREAM CANCEL on stream {@code id}. */
    public Writer reset(int id) {
      writer.writeRstStream(ctx, id, Http2Error.CANCEL.code(), ctx.newPromise());
      return this;
    }
  }

  /** Reads the server's frames and records them; acknowledges its SETTINGS. */
  private final class Frames extends ByteToMessageDecoder {
    private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader();
    private volatile ChannelHandlerContext ctx;
    private volatile Http2Settings settings;
    private volatile long goAway = -1;
    private final Map<Integer, Long> resets = new ConcurrentHashMap<>();
    private final Map<Integer, Http2Headers> responses = new ConcurrentHashMap<>();

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
      reader.readFrame(ctx, in, new Http2FrameAdapter() {
        @Override
        public void onSettingsRead(ChannelHandlerContext c, Http2Settings s) {
          if (settings == null) {
            settings = s;
          }
          writer.writeSettingsAck(c, c.newPromise());
          c.flush();
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext c, int lastStreamId, long errorCode, ByteBuf debugData) {
          goAway = errorCode;
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext c, int streamId, long errorCode) {
          resets.put(streamId, errorCode);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers headers, int padding,
            boolean endOfStream) {
          responses.putIfAbsent(streamId, headers);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers headers, int streamDependency,
            short weight, boolean exclusive, int padding, boolean endOfStream) {
          onHeadersRead(c, streamId, headers, padding, endOfStream);
        }
      });
    }
  }
}
