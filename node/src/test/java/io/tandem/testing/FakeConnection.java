package io.tandem.testing;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * One accepted connection of a {@link FakeBackend}: parses requests one at a time and lets an {@link Action}
 * answer each. Its public methods are the building blocks for actions; all run on the connection's event loop.
 */
public final class FakeConnection implements RequestParser.Listener {
  private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final int WRITE_CHUNK = 16 * 1024;

  private final FakeBackend backend;
  private final Vertx vertx;
  private final NetSocket socket;
  private final RequestParser parser;
  private Received request;
  private boolean echoing;

  FakeConnection(FakeBackend backend, Vertx vertx, NetSocket socket, int id) {
    this.backend = backend;
    this.vertx = vertx;
    this.socket = socket;
    this.parser = new RequestParser(id, socket.remoteAddress(), this);
    socket.handler(this::onData);
    socket.exceptionHandler(e -> { }); // resets from clients are expected in fault tests
  }

  private void onData(Buffer data) {
    if (echoing) {
      socket.write(data);
    } else {
      parser.feed(data);
    }
  }

  @Override
  public void onHead(Received head) {
    String expect = head.header("expect");
    if (expect != null && expect.equalsIgnoreCase("100-continue") && backend.sendsContinue()) {
      socket.write("HTTP/1.1 100 Continue\r\n\r\n");
    }
  }

  @Override
  public void onRequest(Received received) {
    request = received;
    // Decided before it is recorded: a test that waits for a request and then changes the behaviour never changes
    // it under a request already seen.
    Action action = backend.behavior().decide(received);
    backend.record(received);
    action.perform(this);
  }

  @Override
  public void onError(String message) {
    backend.parseError(message);
    respond(400, List.of("Connection: close"), Buffer.buffer(message + "\n"));
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The raw socket, for actions the factories do not cover. */
  public NetSocket socket() {
    return socket;
  }

  /** The request being answered (null only while answering a malformed one). */
  public Received request() {
    return request;
  }

  public String backendName() {
    return backend.name();
  }

  /** The JSON body of {@link Action#echo()}. */
  public Buffer echoBody() {
    return new JsonObject()
        .put("backend", backend.name())
        .put("method", request.method())
        .put("uri", request.uri())
        .put("version", request.version())
        .put("connection", request.connection())
        .put("headers", new JsonArray(new ArrayList<>(request.headerLines())))
        .put("bodyLength", request.bodyLength())
        .toBuffer().appendString("\n");
  }

  /**
   * Answers with Content-Length framing (added unless given, never for 1xx/204/304), then reads the next request
   * or closes when the request or {@code headerLines} say {@code Connection: close}.
   */
  public void respond(int status, List<String> headerLines, Buffer body) {
    boolean close = closeAfter(headerLines);
    boolean bodiless = status < 200 || status == 204 || status == 304;
    List<String> lines = new ArrayList<>(headerLines);
    if (!bodiless && lines.stream().noneMatch(l -> startsWithIgnoreCase(l, "content-length:"))) {
      lines.add("Content-Length: " + body.length());
    }
    addCloseHeader(lines, close);
    Buffer out = head(status, lines);
    if (!bodiless && (request == null || !request.method().equals("HEAD"))) {
      out.appendBuffer(body);
    }
    socket.write(out).onComplete(ar -> finish(close));
  }

  public void respondChunked(int status, Buffer body, int chunks) {
    respondChunked(status, List.of(), body, chunks);
  }

  /** The same with header lines of its own ({@code Content-Type: ...}). */
  public void respondChunked(int status, List<String> headers, Buffer body, int chunks) {
    boolean close = closeAfter(headers);
    List<String> lines = new ArrayList<>(headers);
    lines.add("Transfer-Encoding: chunked");
    addCloseHeader(lines, close);
    Buffer out = head(status, lines);
    int n = Math.max(1, Math.min(chunks, body.length()));
    for (int i = 0; i < n; i++) {
      Buffer chunk = body.getBuffer(body.length() * i / n, body.length() * (i + 1) / n);
      out.appendString(Integer.toHexString(chunk.length()) + "\r\n").appendBuffer(chunk).appendString("\r\n");
    }
    socket.write(out.appendString("0\r\n\r\n")).onComplete(ar -> finish(close));
  }

  public void respondLarge(long bytes) {
    boolean close = closeAfter(List.of());
    List<String> lines = new ArrayList<>(List.of("Content-Length: " + bytes));
    addCloseHeader(lines, close);
    socket.write(head(200, lines));
    writeLarge(0, bytes, close);
  }

  private void writeLarge(long offset, long total, boolean close) {
    long next = offset;
    while (next < total && !socket.writeQueueFull()) {
      int size = (int) Math.min(WRITE_CHUNK, total - next);
      byte[] chunk = new byte[size];
      for (int i = 0; i < size; i++) {
        chunk[i] = Action.largeBodyByte(next + i);
      }
      next += size;
      if (next == total) {
        socket.write(Buffer.buffer(chunk)).onComplete(ar -> finish(close));
        return;
      }
      socket.write(Buffer.buffer(chunk));
    }
    if (next == total) {
      finish(close); // empty body
      return;
    }
    long resumeAt = next;
    socket.drainHandler(v -> {
      socket.drainHandler(null);
      writeLarge(resumeAt, total, close);
    });
  }

  /** Sends an RST: SO_LINGER 0 makes close() abort the connection and drop unsent data. */
  public void reset() {
    ((NetSocketInternal) socket).channelHandlerContext().channel().config().setOption(ChannelOption.SO_LINGER, 0);
    socket.close();
  }

  public void close() {
    socket.close();
  }

  public void writeThenClose(Buffer bytes) {
    socket.write(bytes).onComplete(ar -> socket.close());
  }

  public void upgradeToEcho() {
    String key = request.header("sec-websocket-key");
    List<String> lines = new ArrayList<>(List.of("Upgrade: " + request.header("upgrade"), "Connection: Upgrade"));
    if (key != null) {
      lines.add("Sec-WebSocket-Accept: " + websocketAccept(key));
    }
    echoing = true;
    socket.write(head(101, lines));
    Buffer early = parser.takeRemaining();
    if (early.length() > 0) {
      socket.write(early);
    }
  }

  /** The Sec-WebSocket-Accept value for a Sec-WebSocket-Key (RFC 6455, section 4.2.2). */
  static String websocketAccept(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1")
          .digest((key.strip() + WEBSOCKET_GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }

  /** Status line, header lines and the blank line. */
  static Buffer head(int status, List<String> headerLines) {
    StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ')
        .append(HttpResponseStatus.valueOf(status).reasonPhrase()).append("\r\n");
    headerLines.forEach(line -> sb.append(line).append("\r\n"));
    return Buffer.buffer(sb.append("\r\n").toString(), "ISO-8859-1");
  }

  private boolean closeAfter(List<String> responseHeaderLines) {
    if (request == null || responseHeaderLines.stream().anyMatch(l -> isConnectionClose(l))) {
      return true;
    }
    String connection = request.header("connection");
    boolean http10 = request.version().equals("HTTP/1.0");
    String token = connection == null ? "" : connection.toLowerCase(Locale.ROOT);
    return http10 ? !token.contains("keep-alive") : token.contains("close");
  }

  private static void addCloseHeader(List<String> lines, boolean close) {
    if (close && lines.stream().noneMatch(FakeConnection::isConnectionClose)) {
      lines.add("Connection: close");
    }
  }

  private static boolean isConnectionClose(String line) {
    return startsWithIgnoreCase(line, "connection:") && line.toLowerCase(Locale.ROOT).contains("close");
  }

  private static boolean startsWithIgnoreCase(String line, String prefix) {
    return line.regionMatches(true, 0, prefix, 0, prefix.length());
  }

  private void finish(boolean close) {
    if (close) {
      socket.close();
    } else {
      parser.resume();
    }
  }
}
