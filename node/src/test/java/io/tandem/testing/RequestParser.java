package io.tandem.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Incremental HTTP/1.1 request parser for {@link FakeBackend}: request line, headers, a body framed by
 * Content-Length or chunked encoding. After each complete request it pauses until {@link #resume()}, so the
 * backend answers one request at a time; bytes that arrive meanwhile are kept.
 */
final class RequestParser {

  interface Listener {
    /** The head is complete; the body (if any) has not been read yet. */
    void onHead(Received head);

    /** The whole request is complete; the parser is paused. */
    void onRequest(Received request);

    /** The request is malformed; the parser stops for good. */
    void onError(String message);
  }

  static final int MAX_HEAD_BYTES = 64 * 1024;
  private static final int MAX_LINE_BYTES = 4096;

  private enum State { HEAD, FIXED_BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, PAUSED, FAILED }

  private final int connection;
  private final SocketAddress remoteAddress;
  private final Listener listener;
  private Buffer pending = Buffer.buffer();
  private int pos;
  private State state = State.HEAD;
  private boolean parsing;
  private Received head;
  private Buffer body;
  private long remaining;

  RequestParser(int connection, SocketAddress remoteAddress, Listener listener) {
    this.connection = connection;
    this.remoteAddress = remoteAddress;
    this.listener = listener;
  }

  void feed(Buffer data) {
    pending.appendBuffer(data);
    parse();
  }

  /** Reads the next request (from already buffered bytes first). */
  void resume() {
    if (state == State.PAUSED) {
      state = State.HEAD;
      parse();
    }
  }

  /** Hands over the bytes buffered after the last request, e.g. to echo them once a connection is upgraded. */
  Buffer takeRemaining() {
    Buffer rest = pending.getBuffer(pos, pending.length());
    pending = Buffer.buffer();
    pos = 0;
    return rest;
  }

  private void parse() {
    if (parsing) {
      return; // resume() from inside a listener: the running loop continues
    }
    parsing = true;
    try {
      while (state != State.PAUSED && state != State.FAILED && step()) {
        // each step consumes input or changes state
      }
      if (pos > 0) {
        pending = pending.getBuffer(pos, pending.length());
        pos = 0;
      }
    } finally {
      parsing = false;
    }
  }

  private boolean step() {
    return switch (state) {
      case HEAD -> head();
      case FIXED_BODY -> bodyBytes(State.FIXED_BODY);
      case CHUNK_SIZE -> chunkSize();
      case CHUNK_DATA -> bodyBytes(State.CHUNK_DATA);
      case CHUNK_END -> chunkEnd();
      case TRAILERS -> trailer();
      default -> false;
    };
  }

  private boolean head() {
    while (pending.length() - pos >= 2 && pending.getByte(pos) == '\r' && pending.getByte(pos + 1) == '\n') {
      pos += 2; // stray CRLF between requests is allowed
    }
    int end = indexOf("\r\n\r\n");
    if (end < 0) {
      return pending.length() - pos > MAX_HEAD_BYTES && fail("request head larger than " + MAX_HEAD_BYTES + " bytes");
    }
    String[] lines = pending.getString(pos, end, "ISO-8859-1").split("\r\n", -1);
    pos = end + 4;
    String[] requestLine = lines[0].split(" ", -1);
    if (requestLine.length != 3 || requestLine[0].isEmpty() || requestLine[1].isEmpty()
        || !requestLine[2].startsWith("HTTP/1.")) {
      return fail("malformed request line: " + lines[0]);
    }
    List<String> headerLines = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0 || Character.isWhitespace(lines[i].charAt(0)) || Character.isWhitespace(lines[i].charAt(colon - 1))) {
        return fail("malformed header line: " + lines[i]);
      }
      headerLines.add(lines[i]);
    }
    head = new Received(connection, remoteAddress, requestLine[0], requestLine[1], requestLine[2], headerLines, new byte[0]);
    body = Buffer.buffer();
    String transferEncoding = head.header("transfer-encoding");
    List<String> lengths = head.headerValues("content-length");
    if (transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      state = State.CHUNK_SIZE;
    } else if (!lengths.isEmpty()) {
      if (lengths.stream().distinct().count() > 1 || !lengths.get(0).matches("[0-9]{1,18}")) {
        return fail("invalid Content-Length: " + String.join(",", lengths));
      }
      remaining = Long.parseLong(lengths.get(0));
      state = State.FIXED_BODY;
    } else {
      remaining = 0;
      state = State.FIXED_BODY;
    }
    listener.onHead(head);
    if (state == State.FIXED_BODY && remaining == 0) {
      complete();
    }
    return true;
  }

  private boolean bodyBytes(State current) {
    int n = (int) Math.min(remaining, pending.length() - pos);
    body.appendBuffer(pending.getBuffer(pos, pos + n));
    pos += n;
    remaining -= n;
    if (remaining == 0) {
      if (current == State.FIXED_BODY) {
        complete();
      } else {
        state = State.CHUNK_END;
      }
      return true;
    }
    return n > 0;
  }

  private boolean chunkSize() {
    String line = line();
    if (line == null) {
      return false;
    }
    int semicolon = line.indexOf(';');
    String size = (semicolon < 0 ? line : line.substring(0, semicolon)).strip();
    if (!size.matches("[0-9a-fA-F]{1,15}")) {
      return fail("invalid chunk size: " + line);
    }
    remaining = Long.parseLong(size, 16);
    state = remaining == 0 ? State.TRAILERS : State.CHUNK_DATA;
    return true;
  }

  private boolean chunkEnd() {
    if (pending.length() - pos < 2) {
      return false;
    }
    if (pending.getByte(pos) != '\r' || pending.getByte(pos + 1) != '\n') {
      return fail("missing CRLF after chunk data");
    }
    pos += 2;
    state = State.CHUNK_SIZE;
    return true;
  }

  private boolean trailer() {
    String line = line();
    if (line == null) {
      return false;
    }
    if (line.isEmpty()) {
      complete();
    }
    return true; // trailer fields are read and ignored
  }

  /** The next CRLF-terminated line, or null when it has not fully arrived. */
  private String line() {
    int end = indexOf("\r\n");
    if (end < 0) {
      if (pending.length() - pos > MAX_LINE_BYTES) {
        fail("chunk line longer than " + MAX_LINE_BYTES + " bytes");
      }
      return null;
    }
    String line = pending.getString(pos, end, "ISO-8859-1");
    pos = end + 2;
    return line;
  }

  private int indexOf(String delimiter) {
    byte[] d = delimiter.getBytes(StandardCharsets.ISO_8859_1);
    outer:
    for (int i = pos; i <= pending.length() - d.length; i++) {
      for (int j = 0; j < d.length; j++) {
        if (pending.getByte(i + j) != d[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private void complete() {
    state = State.PAUSED;
    listener.onRequest(head.withBody(body.getBytes()));
  }

  private boolean fail(String message) {
    state = State.FAILED;
    listener.onError(message);
    return false;
  }
}
