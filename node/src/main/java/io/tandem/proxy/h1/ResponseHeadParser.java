package io.tandem.proxy.h1;

import io.netty.buffer.ByteBuf;

/**
 * Parses response heads in place from a backend connection's input, for framing: status, {@code Content-Length},
 * chunked or close-delimited, interim (1xx) responses, and whether the connection may be reused. A response that is
 * ill-formed or ambiguous is refused (the exchange answers 502 and closes the backend connection): bare LF, obsolete
 * folding, a version other than HTTP/1.0 and 1.1, invalid or conflicting lengths. A {@code Transfer-Encoding} wins
 * over a {@code Content-Length} (RFC 9112 6.3) and the connection is then not reused.
 *
 * <pre>{@code
 * ParseResult<ResponseHead> r = parser.parse(input, request.isHead());
 * }</pre>
 *
 * One per backend connection, confined to its event loop.
 */
public final class ResponseHeadParser {
  private final HeadScanner scanner;
  private final int maxHeaderCount;
  private final int[][] table = new int[1][];
  private final boolean[][] underscores = new boolean[1][];

  public ResponseHeadParser(int maxStatusLine, int maxHeaderBytes, int maxHeaderCount) {
    this.scanner = new HeadScanner(maxStatusLine, maxHeaderBytes, 0);
    this.maxHeaderCount = maxHeaderCount;
  }

  /**
   * Looks for a complete head at {@code in}'s reader index ({@code headRequest}: the request was {@code HEAD}, so
   * there is no body). Complete: the head (its bytes copied out) and the reader index past it; otherwise nothing moves.
   */
  public ParseResult<ResponseHead> parse(ByteBuf in, boolean headRequest) {
    int end = scanner.find(in, 502);
    if (end == 0) {
      return ParseResult.needMoreBytes();
    }
    if (end < 0) {
      ParseResult<ResponseHead> r = ParseResult.refused(502, scanner.reason);
      scanner.reset();
      return r;
    }
    int start = in.readerIndex() + scanner.headStart();
    byte[] bytes = new byte[in.readerIndex() + end - start];
    in.getBytes(start, bytes);
    in.readerIndex(in.readerIndex() + end);
    int startLine = scanner.startLineLength();
    scanner.reset();
    return build(bytes, startLine, headRequest);
  }

  private ParseResult<ResponseHead> build(byte[] b, int startLine, boolean headRequest) {
    int lineEnd = startLine - 2;
    // HTTP/1.x SP 3DIGIT [SP reason]
    if (lineEnd < 12 || !Ascii.equalsIgnoreCase(b, 0, 7, "http/1.") || b[0] != 'H'
        || b[8] != ' ') {
      return ParseResult.refused(502, "malformed status line");
    }
    byte minor = b[7];
    if (minor != '0' && minor != '1') {
      return ParseResult.refused(502, "unsupported HTTP version in the response");
    }
    int status = 0;
    for (int k = 9; k < 12; k++) {
      byte c = b[k];
      if (c < '0' || c > '9') {
        return ParseResult.refused(502, "malformed status code");
      }
      status = status * 10 + (c - '0');
    }
    if (status < 100 || (lineEnd > 12 && b[12] != ' ')) {
      return ParseResult.refused(502, "malformed status line");
    }
    for (int k = 13; k < lineEnd; k++) {
      byte c = b[k];
      if (!Ascii.fieldChar(c)) {
        return ParseResult.refused(502, "invalid character in the reason phrase");
      }
    }
    int count = scanner.fields(b, startLine, b.length - 2, maxHeaderCount, table, underscores);
    if (count < 0) {
      ParseResult<ResponseHead> r = ParseResult.refused(502, "response " + scanner.reason);
      scanner.reset();
      return r;
    }
    ResponseHead head = new ResponseHead(b, table[0], count, startLine, status);
    head.versionMinor = minor - '0';
    String framing = framing(head, headRequest);
    return framing == null ? ParseResult.complete(head) : ParseResult.refused(502, framing);
  }

  private static String framing(ResponseHead h, boolean headRequest) {
    byte[] b = h.bytes;
    boolean te = false;
    boolean lastIsChunked = false;
    for (int i = 0; i < h.headerCount; i++) {
      int vs = h.valueStart(i);
      int ve = vs + h.valueLength(i);
      if (h.nameIs(i, HeaderNames.CONTENT_LENGTH)) {
        long cl = HeadScanner.contentLength(b, vs, ve, h.contentLength);
        if (cl == -2) {
          return "invalid or conflicting Content-Length in the response";
        }
        h.contentLength = cl;
      } else if (h.nameIs(i, HeaderNames.TRANSFER_ENCODING)) {
        te = true;
        lastIsChunked = lastCodingIsChunked(b, vs, ve);
      } else if (h.nameIs(i, HeaderNames.CONNECTION)) {
        h.connectionClose |= h.valueHasToken(i, "close");
        h.connectionKeepAlive |= h.valueHasToken(i, "keep-alive");
        h.connectionUpgrade |= h.valueHasToken(i, "upgrade");
      }
    }
    boolean keepAlive = h.keepAlive();
    if (h.interim() || h.status == 204 || h.status == 304 || headRequest) {
      h.body = ResponseHead.Body.NONE;
      // An interim response is followed by the final one on the same connection; that one decides.
      h.reusable = keepAlive && !h.interim();
      return null;
    }
    if (te) {
      h.chunked = lastIsChunked;
      h.body = lastIsChunked ? ResponseHead.Body.CHUNKED : ResponseHead.Body.CLOSE;
      // Both framings sent: the length is ignored, and a connection that carried an ambiguous message is not reused.
      h.reusable = keepAlive && lastIsChunked && h.contentLength < 0;
      h.lengthIgnored = h.contentLength >= 0;
      h.contentLength = -1;
      return null;
    }
    if (h.contentLength >= 0) {
      h.body = ResponseHead.Body.LENGTH;
      h.reusable = keepAlive;
      return null;
    }
    h.body = ResponseHead.Body.CLOSE;
    h.reusable = false;
    return null;
  }

  private static boolean lastCodingIsChunked(byte[] b, int from, int to) {
    int last = from;
    for (int p = from; p <= to; p = Ascii.elementEnd(b, p, to) + 1) {
      last = p;
    }
    int e = Ascii.elementEnd(b, last, to);
    int s = Ascii.trimStart(b, last, e);
    return Ascii.equalsIgnoreCase(b, s, Ascii.trimEnd(b, s, e), "chunked");
  }
}
