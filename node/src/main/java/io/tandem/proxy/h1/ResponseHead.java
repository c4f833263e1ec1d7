package io.tandem.proxy.h1;


/**
 * A parsed response head (see {@link Head}); made by {@link ResponseHeadParser}. Besides the status it says how the
 * body that follows is framed, which depends on the request too (a response to {@code HEAD} has none).
 */
public final class ResponseHead extends Head {
  /** How the body after a response head ends. */
  public enum Body {
    /** No body: 1xx, 204, 304, or a response to HEAD. */
    NONE,
    /** {@code Content-Length} bytes. */
    LENGTH,
    /** Chunked transfer coding. */
    CHUNKED,
    /** Everything until the backend closes the connection (no length, or a transfer coding other than chunked). */
    CLOSE
  }

  final int status;
  Body body = Body.CLOSE;
  boolean reusable;
  boolean lengthIgnored;

  ResponseHead(byte[] bytes, int[] fields, int headerCount, int headerBlockStart, int status) {
    super(bytes, fields, headerCount, headerBlockStart);
    this.status = status;
  }

  public int status() {
    return status;
  }

  /** Whether this is an interim response (1xx): a final one follows on the same connection. */
  public boolean interim() {
    return status >= 100 && status < 200;
  }

  public Body body() {
    return body;
  }

  /**
   * Whether the backend connection may carry another request once this response's body has ended: keep-alive by
   * version and {@code Connection}, and a body whose end is known without the backend closing.
   */
  public boolean reusable() {
    return reusable;
  }

  /** Whether a {@code Content-Length} came with a {@code Transfer-Encoding}: it is ignored, and not forwarded. */
  public boolean lengthIgnored() {
    return lengthIgnored;
  }
}
