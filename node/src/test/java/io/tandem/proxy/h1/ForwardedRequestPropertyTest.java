package io.tandem.proxy.h1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Generated request heads and bodies, valid and mutated, through the codec as the proxy uses it: the parser, the
 * body framers and the head writer. Each is refused with a 4xx (or 505), or forwarded as exactly one request that
 * Netty's {@link HttpRequestDecoder} reads the same way: same method, target, end-to-end headers and body. Nothing a
 * mutation produces may make the forwarded bytes read as two requests (smuggling) or as a different one.
 */
class ForwardedRequestPropertyTest {
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
      "trailer", "upgrade", "proxy-authorization", "proxy-authenticate", "x-forwarded-for", "x-forwarded-proto",
      "x-forwarded-host", "forwarded", "x-request-id");

  /** A request as generated: its bytes and what they mean. */
  record Generated(String text, String method, String target, List<String[]> headers, byte[] body, boolean chunked) {}

  @Provide
  Arbitrary<Generated> validRequests() {
    Arbitrary<String> method = Arbitraries.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND");
    Arbitrary<String> target = Arbitraries.strings().withChars("abcxyz019-._~%/?=&+").ofMaxLength(40)
        .map(s -> "/" + s);
    Arbitrary<String> name = Arbitraries.strings().withChars("abcdefghXYZ-0123!#$&'*+.^`|~").ofMinLength(1)
        .ofMaxLength(12).filter(n -> !HOP_BY_HOP.contains(n.toLowerCase(Locale.ROOT))
            && !Set.of("host", "content-length", "transfer-encoding", "expect").contains(n.toLowerCase(Locale.ROOT)));
    Arbitrary<String> value = Arbitraries.strings().withChars("abc XYZ019,;=\"/:\t()\u00e9").ofMaxLength(30)
        .map(String::trim);
    Arbitrary<List<String[]>> headers = Combinators.combine(name, value).as((n, v) -> new String[] {n, v}).list()
        .ofMaxSize(8);
    Arbitrary<byte[]> body = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    Arbitrary<Integer> framing = Arbitraries.integers().between(0, 2);   // none, length, chunked
    Arbitrary<Integer> chunk = Arbitraries.integers().between(1, 64);
    return Combinators.combine(method, target, headers, body, framing, chunk).as((m, t, hs, b, f, c) -> {
      StringBuilder sb = new StringBuilder().append(m).append(' ').append(t).append(" HTTP/1.1\r\nHost: h.example\r\n");
      for (String[] h : hs) {
        sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
      }
      byte[] payload = f == 0 ? new byte[0] : b;
      if (f == 1) {
        sb.append("Content-Length: ").append(payload.length).append("\r\n\r\n");
        sb.append(new String(payload, StandardCharsets.ISO_8859_1));
      } else if (f == 2) {
        sb.append("Transfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < payload.length; i += c) {
          int n = Math.min(c, payload.length - i);
          sb.append(Integer.toHexString(n)).append("\r\n")
              .append(new String(payload, i, n, StandardCharsets.ISO_8859_1)).append("\r\n");
        }
        sb.append("0\r\n\r\n");
      } else {
        sb.append("\r\n");
      }
      return new Generated(sb.toString(), m, t, hs, payload, f == 2);
    });
  }

  /** Valid requests with a few bytes replaced, inserted or deleted, or a framing header added. */
  @Provide
  Arbitrary<String> mutatedRequests() {
    Arbitrary<Character> ch = Arbitraries.of('\r', '\n', ' ', '\t', ':', ',', ';', '\u0000', '\u007f', '\u0080', '0',
        'a', '-', '_');
    Arbitrary<String> extra = Arbitraries.of("Content-Length: 3\r\n", "Content-Length: 0\r\n",
        "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: identity\r\n", "Host: other\r\n",
        "Content-Length: 1, 2\r\n", "Transfer_Encoding: chunked\r\n", " folded\r\n", "Content-Length : 4\r\n",
        "X: y\n");
    return Combinators.combine(validRequests(), Arbitraries.integers().between(0, 10_000), ch, extra,
        Arbitraries.integers().between(0, 3)).as((g, pos, c, e, op) -> {
          StringBuilder sb = new StringBuilder(g.text());
          int p = pos % sb.length();
          switch (op) {
            case 0 -> sb.setCharAt(p, c);
            case 1 -> sb.insert(p, c);
            case 2 -> sb.deleteCharAt(p);
            default -> sb.insert(sb.indexOf("\r\n") + 2, e);
          }
          return sb.toString();
        });
  }

  @Property(tries = 400)
  void validRequestsAreForwardedAsTheSameRequest(@ForAll("validRequests") Generated g) {
    Forwarded f = forward(g.text());
    assertNull(f.refusal, () -> "refused a valid request: " + f.refusal + "\n" + g.text());
    FullHttpRequest decoded = f.decoded;
    try {
      assertEquals(g.method(), decoded.method().name());
      assertEquals(g.target(), decoded.uri());
      assertEquals("h.example", decoded.headers().get("host"));
      for (String[] h : g.headers()) {
        assertTrue(decoded.headers().getAll(h[0]).contains(h[1]), () -> h[0] + ": " + h[1] + " in " + g.text());
      }
      byte[] body = new byte[decoded.content().readableBytes()];
      decoded.content().getBytes(decoded.content().readerIndex(), body);
      assertEquals(new String(g.body(), StandardCharsets.ISO_8859_1), new String(body, StandardCharsets.ISO_8859_1));
      assertEquals("10.0.0.1", decoded.headers().get("x-forwarded-for"));
    } finally {
      decoded.release();
    }
  }

  @Property(tries = 1500)
  void mutatedRequestsAreRefusedOrForwardedAsExactlyOneRequest(@ForAll("mutatedRequests") String text) {
    Forwarded f = forward(text);
    Statistics.collect(f.refusal != null ? "refused " + f.refusal : f.decoded == null ? "incomplete" : "forwarded");
    if (f.refusal != null) {
      assertTrue((f.refusal >= 400 && f.refusal < 500) || f.refusal == 505, "status " + f.refusal);
      return;
    }
    if (f.decoded == null) {
      return;   // incomplete: the proxy waits for more bytes and forwards nothing
    }
    f.decoded.release();
  }

  /** What the proxy did with a request: refused it (status), waited for more, or forwarded it (as Netty reads it). */
  private static final class Forwarded {
    Integer refusal;
    FullHttpRequest decoded;
  }

  private static Forwarded forward(String text) {
    Forwarded result = new Forwarded();
    ByteBuf in = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    RequestHeadParser parser = new RequestHeadParser(8192, 16384, 100, false);
    ParseResult<RequestHead> r = parser.parse(in);
    try {
      if (r.needMore()) {
        return result;
      }
      RequestHead head = r.head();
      if (head == null) {
        result.refusal = r.status();
        return result;
      }
      ByteBuf out = HeadWriter.request(ByteBufAllocator.DEFAULT, head, "10.0.0.1", "http", "rid", false);
      try {
        if (head.chunked()) {
          ChunkedFramer framer = new ChunkedFramer();
          int n = framer.scan(in);
          if (n < 0) {
            result.refusal = 400;
            return result;
          }
          if (!framer.done()) {
            return result;   // the rest of the body has not come: nothing more is forwarded yet
          }
          out.writeBytes(in, in.readerIndex(), n);
        } else if (head.contentLength() > 0) {
          if (in.readableBytes() < head.contentLength()) {
            return result;
          }
          out.writeBytes(in, in.readerIndex(), (int) head.contentLength());
        }
        result.decoded = decodeExactlyOne(out.retain(), head);
      } finally {
        out.release();
      }
      return result;
    } finally {
      in.release();
    }
  }

  /** Netty's reading of the forwarded bytes: one request, decoded without a failure, and nothing after it. */
  private static FullHttpRequest decodeExactlyOne(ByteBuf forwarded, RequestHead head) {
    EmbeddedChannel ch = new EmbeddedChannel(new HttpRequestDecoder(), new HttpObjectAggregator(1 << 20));
    try {
      ch.writeInbound(forwarded);
      List<FullHttpRequest> requests = new ArrayList<>();
      for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
        requests.add((FullHttpRequest) o);
      }
      assertEquals(1, requests.size(), "exactly one request");
      FullHttpRequest req = requests.get(0);
      assertTrue(req.decoderResult().isSuccess(), () -> "Netty reads it: " + req.decoderResult());
      assertEquals(head.method(), req.method().name());
      assertEquals(head.uri(), req.uri());
      long expected = head.chunked() ? -1 : Math.max(0, head.contentLength());
      if (expected >= 0) {
        assertEquals(expected, req.content().readableBytes());
      }
      return req;
    } finally {
      ch.finishAndReleaseAll();
    }
  }
}
