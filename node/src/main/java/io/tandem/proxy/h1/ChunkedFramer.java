package io.tandem.proxy.h1;

import io.netty.buffer.ByteBuf;

/**
 * Checks a chunked body's framing (RFC 9112 section 7.1) as its bytes pass through unchanged: chunk sizes (1 to 16 hex
 * digits, no overflow, no white space after them), extensions (bounded), the CRLF after each size line and each chunk,
 * the trailer section (header-field lines, bounded) and the final CRLF. Tandem forwards a chunked body with the framing
 * it came with, so nothing is re-encoded; this class only says where the body ends and whether it is well-formed. Any
 * split of the bytes gives the same answer. One per body, confined to its event loop.
 *
 * <pre>{@code
 * int n = framer.scan(buf);                 // bytes of buf that belong to this body, -1 when malformed
 * forward(buf.readRetainedSlice(n));
 * if (framer.done()) { the rest of buf is the next message }
 * }</pre>
 */
public final class ChunkedFramer {
  static final int MAX_EXTENSIONS = 4096;
  static final int MAX_TRAILERS = 8192;

  private enum State { SIZE, EXT, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER_START, TRAILER, TRAILER_LF, FINAL_LF, DONE }

  private State state = State.SIZE;
  private long chunkLeft;
  private int digits;
  private int extBytes;
  private int trailerBytes;
  private boolean trailerLineHasColon;
  private boolean trailers;
  private long dataBytes;
  private String error;
  private StringBuilder trailerText;   // the trailer section's lines, when asked to keep them

  /** Receives the data of a chunked body without its framing: {@code length} bytes of {@code buf} at {@code index}. */
  @FunctionalInterface
  public interface DataSink {
    void data(ByteBuf buf, int index, int length);
  }

  /**
   * Looks at {@code buf}'s readable bytes without moving its reader index; returns how many belong to this body
   * (all, or fewer when it ends inside {@code buf}), or -1 once the framing is bad ({@link #error()}).
   */
  public int scan(ByteBuf buf) {
    return scan(buf, null);
  }

  /** The same, handing the chunks' data (without sizes, CRLFs and trailers) to {@code sink} (null: none). */
  public int scan(ByteBuf buf, DataSink sink) {
    if (error != null) {
      return -1;
    }
    int start = buf.readerIndex();
    int end = buf.writerIndex();
    int i = start;
    while (i < end && state != State.DONE) {
      if (state == State.DATA) {
        int n = (int) Math.min(chunkLeft, end - i);
        if (sink != null && n > 0) {
          sink.data(buf, i, n);
        }
        i += n;
        chunkLeft -= n;
        dataBytes += n;
        if (chunkLeft == 0) {
          state = State.DATA_CR;
        }
        continue;
      }
      if (!step(buf.getByte(i))) {
        return -1;
      }
      i++;
    }
    return i - start;
  }

  private boolean step(byte c) {
    if (trailerText != null && (state == State.TRAILER || state == State.TRAILER_LF
        || (state == State.TRAILER_START && c != '\r'))) {
      trailerText.append((char) (c & 0xFF));
    }
    switch (state) {
      case SIZE -> {
        int v = hex(c);
        if (v >= 0) {
          if (++digits > 16 || chunkLeft > (Long.MAX_VALUE >> 4)) {
            return fail("chunk size too large");
          }
          chunkLeft = (chunkLeft << 4) | v;
        } else if (digits == 0) {
          return fail("chunk size expected");
        } else if (c == ';') {
          state = State.EXT;
        } else if (c == ' ' || c == '\t') {
          // RFC 9112 allows white space here only before an extension, and readers differ on it (Netty refuses it,
          // HAProxy skips it): a framing two readers see two ways is refused, as the head's rules are.
          return fail("white space after a chunk size");
        } else if (c == '\r') {
          state = State.SIZE_LF;
        } else {
          return fail("invalid character in a chunk size");
        }
      }
      case EXT -> {
        if (c == '\r') {
          state = State.SIZE_LF;
        } else if (!Ascii.fieldChar(c) || ++extBytes > MAX_EXTENSIONS) {
          return fail(extBytes > MAX_EXTENSIONS ? "chunk extensions too long" : "invalid chunk extension");
        }
      }
      case SIZE_LF -> {
        if (c != '\n') {
          return fail("chunk size line not ended by CRLF");
        }
        digits = 0;
        extBytes = 0;
        state = chunkLeft == 0 ? State.TRAILER_START : State.DATA;
      }
      case DATA_CR -> {
        if (c != '\r') {
          return fail("chunk data not followed by CRLF");
        }
        state = State.DATA_LF;
      }
      case DATA_LF -> {
        if (c != '\n') {
          return fail("chunk data not followed by CRLF");
        }
        state = State.SIZE;
      }
      case TRAILER_START -> {
        if (c == '\r') {
          state = State.FINAL_LF;
        } else if (!Ascii.tchar(c)) {
          return fail("invalid trailer field");
        } else {
          trailers = true;
          trailerLineHasColon = false;
          state = State.TRAILER;
          return countTrailer();
        }
      }
      case TRAILER -> {
        if (c == '\r') {
          if (!trailerLineHasColon) {
            return fail("trailer field without a colon");
          }
          state = State.TRAILER_LF;
        } else if (c == ':' && !trailerLineHasColon) {
          trailerLineHasColon = true;
        } else if (trailerLineHasColon ? !Ascii.fieldChar(c) : !Ascii.tchar(c)) {
          return fail("invalid trailer field");
        }
        return countTrailer();
      }
      case TRAILER_LF -> {
        if (c != '\n') {
          return fail("trailer field not ended by CRLF");
        }
        state = State.TRAILER_START;
      }
      case FINAL_LF -> {
        if (c != '\n') {
          return fail("chunked body not ended by CRLF");
        }
        state = State.DONE;
      }
      default -> {
        return fail("unexpected state " + state);
      }
    }
    return true;
  }

  private boolean countTrailer() {
    return ++trailerBytes <= MAX_TRAILERS || fail("trailer section too large");
  }

  /** From now on keeps the trailer section's fields, for {@link #trailerFields()}. */
  public void keepTrailers() {
    trailerText = new StringBuilder();
  }

  /**
   * The trailer fields seen (with {@link #keepTrailers()}), as name and value pairs: names as sent, values without
   * the white space around them.
   */
  public java.util.List<String> trailerFields() {
    java.util.List<String> pairs = new java.util.ArrayList<>();
    if (trailerText == null) {
      return pairs;
    }
    for (String line : trailerText.toString().split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        pairs.add(line.substring(0, colon));
        pairs.add(line.substring(colon + 1).strip());
      }
    }
    return pairs;
  }

  private boolean fail(String why) {
    error = why;
    return false;
  }

  private static int hex(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /** Whether the body ended (the last chunk, trailers and final CRLF seen). */
  public boolean done() {
    return state == State.DONE;
  }

  /** Why the framing is bad, or null. */
  public String error() {
    return error;
  }

  /** Payload bytes so far (chunk data, without the framing), for {@code max-body-size}. */
  public long dataBytes() {
    return dataBytes;
  }

  /** Whether the body had a trailer section. */
  public boolean hasTrailers() {
    return trailers;
  }

  /** Ready for the next body. */
  public void reset() {
    state = State.SIZE;
    chunkLeft = 0;
    digits = 0;
    extBytes = 0;
    trailerBytes = 0;
    trailers = false;
    dataBytes = 0;
    error = null;
    if (trailerText != null) {
      trailerText.setLength(0);
    }
  }
}
