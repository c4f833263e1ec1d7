package io.tandem.proxy.h1;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Parses request heads in place from a client connection's input, by RFC 9112's grammar and strictly: anything a
 * balancer and a backend could read two ways is refused with its status before a byte is forwarded (the framing
 * rules: both {@code Transfer-Encoding} and {@code Content-Length}, a transfer coding other than one {@code chunked},
 * {@code Transfer-Encoding} on HTTP/1.0, differing or malformed lengths, not exactly one {@code Host} on HTTP/1.1; and
 * the grammar: bare LF or CR, obsolete folding, white space before a colon, control characters). Never throws for
 * bad input.
 *
 * <pre>{@code
 * ParseResult<RequestHead> r = parser.parse(cumulation);
 * if (r.needMore()) { read more } else if (r.head() == null) { answer r.status(), close } else { route r.head() }
 * }</pre>
 *
 * One per connection, confined to its event loop; it keeps how far it looked between calls.
 */
public final class RequestHeadParser {
  private final HeadScanner scanner;
  private final int maxHeaderCount;
  private final boolean allowUnderscores;
  private final int[][] table = new int[1][];
  private final boolean[][] underscores = new boolean[1][];

  public RequestHeadParser(int maxRequestLine, int maxHeaderBytes, int maxHeaderCount, boolean allowUnderscores) {
    this.scanner = new HeadScanner(maxRequestLine, maxHeaderBytes, 4);
    this.maxHeaderCount = maxHeaderCount;
    this.allowUnderscores = allowUnderscores;
  }

  /**
   * Looks for a complete head at {@code in}'s reader index. Complete: the head (its bytes copied out of {@code in}) and
   * the reader index moved past it. Otherwise nothing is consumed.
   */
  public ParseResult<RequestHead> parse(ByteBuf in) {
    int end = scanner.find(in, 414);
    if (end == 0) {
      return ParseResult.needMoreBytes();
    }
    if (end < 0) {
      return refuse(scanner.status, scanner.reason);
    }
    int start = in.readerIndex() + scanner.headStart();
    byte[] bytes = new byte[in.readerIndex() + end - start];
    in.getBytes(start, bytes);
    in.readerIndex(in.readerIndex() + end);
    int startLine = scanner.startLineLength();
    scanner.reset();
    return build(bytes, startLine);
  }

  private ParseResult<RequestHead> refuse(int status, String reason) {
    scanner.reset();
    return ParseResult.refused(status, reason);
  }

  private ParseResult<RequestHead> build(byte[] b, int startLine) {
    int lineEnd = startLine - 2;
    int sp1 = 0;
    while (sp1 < lineEnd && b[sp1] != ' ') {
      if (!Ascii.tchar(b[sp1])) {
        return ParseResult.refused(400, "invalid method");
      }
      sp1++;
    }
    if (sp1 == 0 || sp1 == lineEnd) {
      return ParseResult.refused(400, "malformed request line");
    }
    int sp2 = sp1 + 1;
    while (sp2 < lineEnd && b[sp2] != ' ') {
      byte c = b[sp2];
      if (c < 0x21 || c > 0x7e) {
        return ParseResult.refused(400, "invalid character in the request target");
      }
      sp2++;
    }
    if (sp2 == sp1 + 1 || sp2 == lineEnd) {
      return ParseResult.refused(400, "malformed request line");
    }
    int version = version(b, sp2 + 1, lineEnd);
    if (version < 0) {
      return version == -2 ? ParseResult.refused(505, "unsupported HTTP version")
          : ParseResult.refused(400, "malformed HTTP version");
    }
    String method = Methods.of(b, sp1);
    String form = targetForm(b, method, sp1 + 1, sp2);
    if (form != null) {
      return ParseResult.refused(400, form);
    }
    int count = scanner.fields(b, startLine, b.length - 2, maxHeaderCount, table, underscores);
    if (count < 0) {
      int status = scanner.status;
      String reason = scanner.reason;
      scanner.reset();
      return ParseResult.refused(status, reason);
    }
    boolean[] dropped = allowUnderscores ? new boolean[Math.max(1, count)] : underscores[0];
    RequestHead head = new RequestHead(b, table[0], count, startLine, method, sp1 + 1, sp2 - sp1 - 1, dropped);
    head.versionMinor = version;
    String framing = framing(head);
    return framing == null ? ParseResult.complete(head) : ParseResult.refused(400, framing);
  }

  /** 1 or 0 for HTTP/1.1 and HTTP/1.0; -2 another HTTP/d.d; -1 not a version. */
  private static int version(byte[] b, int from, int to) {
    if (to - from != 8 || !Ascii.equalsIgnoreCase(b, from, from + 5, "http/") || b[from] != 'H'
        || b[from + 1] != 'T' || b[from + 2] != 'T' || b[from + 3] != 'P'
        || b[from + 6] != '.') {
      return -1;
    }
    byte major = b[from + 5];
    byte minor = b[from + 7];
    if (major < '0' || major > '9' || minor < '0' || minor > '9') {
      return -1;
    }
    return major == '1' && (minor == '0' || minor == '1') ? minor - '0' : -2;
  }

  /** Null when the target's form fits the method, else why not. */
  private static String targetForm(byte[] b, String method, int from, int to) {
    byte first = b[from];
    if ("CONNECT".equals(method)) {
      return first == '/' ? "CONNECT needs an authority-form target" : null;
    }
    if (first == '/') {
      return null;
    }
    if (first == '*' && to - from == 1) {
      return "OPTIONS".equals(method) ? null : "asterisk-form target with " + method;
    }
    if (Ascii.equalsIgnoreCase(b, from, Math.min(to, from + 7), "http://")
        || Ascii.equalsIgnoreCase(b, from, Math.min(to, from + 8), "https://")) {
      return null;
    }
    return "invalid request target";
  }

  /** Applies the framing rules; null when the head is unambiguous, else why not. */
  private static String framing(RequestHead h) {
    byte[] b = h.bytes;
    int te = 0;
    boolean teChunked = false;
    int hosts = 0;
    for (int i = 0; i < h.headerCount; i++) {
      if (h.dropped(i)) {
        continue;
      }
      int vs = h.valueStart(i);
      int ve = vs + h.valueLength(i);
      if (h.nameIs(i, HeaderNames.CONTENT_LENGTH)) {
        h.lengthRepeated |= h.contentLength >= 0 || Ascii.elementEnd(b, vs, ve) < ve;
        long cl = HeadScanner.contentLength(b, vs, ve, h.contentLength);
        if (cl == -2) {
          return "invalid or conflicting Content-Length";
        }
        h.contentLength = cl;
      } else if (h.nameIs(i, HeaderNames.TRANSFER_ENCODING)) {
        te++;
        teChunked = Ascii.equalsIgnoreCase(b, vs, ve, "chunked");
      } else if (h.nameIs(i, HeaderNames.HOST)) {
        hosts++;
        h.hostIndex = i;
        if (!validHost(b, vs, ve)) {
          return "invalid Host";
        }
      } else if (h.nameIs(i, HeaderNames.CONNECTION)) {
        h.connectionClose |= h.valueHasToken(i, "close");
        h.connectionKeepAlive |= h.valueHasToken(i, "keep-alive");
        h.connectionUpgrade |= h.valueHasToken(i, "upgrade");
      } else if (h.nameIs(i, HeaderNames.EXPECT)) {
        h.expectContinue = Ascii.equalsIgnoreCase(b, vs, ve, "100-continue");
      } else if (h.nameIs(i, HeaderNames.UPGRADE)) {
        h.hasUpgrade = true;
      }
    }
    if (te > 0) {
      if (h.contentLength >= 0) {
        return "both Transfer-Encoding and Content-Length";
      }
      if (te > 1 || !teChunked) {
        return "unsupported Transfer-Encoding";
      }
      if (h.versionMinor == 0) {
        return "Transfer-Encoding on HTTP/1.0";
      }
      h.chunked = true;
    }
    if (h.versionMinor == 1 && hosts != 1) {
      return hosts == 0 ? "HTTP/1.1 request without Host" : "more than one Host header";
    }
    return null;
  }

  private static boolean validHost(byte[] b, int from, int to) {
    for (int k = from; k < to; k++) {
      byte c = b[k];
      if (c <= 0x20 || c == '/' || c == '@' || c == 0x7f || c == '\\' || c == '?' || c == '#') {
        return false;
      }
    }
    return true;
  }

  /** Shared Strings for the common methods, so routing compares and logs them without a copy per request. */
  private static final class Methods {
    private static final String[] COMMON = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE",
        "CONNECT"};

    static String of(byte[] b, int length) {
      for (String m : COMMON) {
        if (m.length() == length && matches(b, m)) {
          return m;
        }
      }
      return new String(b, 0, length, StandardCharsets.US_ASCII);
    }

    private static boolean matches(byte[] b, String m) {
      for (int k = 0; k < m.length(); k++) {
        if (b[k] != m.charAt(k)) {
          return false;
        }
      }
      return true;
    }
  }
}
