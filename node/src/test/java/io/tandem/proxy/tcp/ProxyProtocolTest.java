package io.tandem.proxy.tcp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tandem.config.ProxyProtocolVersion;
import io.tandem.proxy.tcp.ProxyProtocol.Result;
import io.tandem.proxy.tcp.ProxyProtocol.Status;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProxyProtocolTest {
  private static final InetSocketAddress SRC = new InetSocketAddress("192.0.2.10", 51234);
  private static final InetSocketAddress DST = new InetSocketAddress("198.51.100.2", 443);
  private static final InetSocketAddress SRC6 = new InetSocketAddress("2001:db8::1", 1);
  private static final InetSocketAddress DST6 = new InetSocketAddress("2001:db8::2", 65535);

  private static Result parse(String s) {
    return ProxyProtocol.parse(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static byte[] encode(ProxyProtocolVersion v, InetSocketAddress s, InetSocketAddress d) {
    ByteBuf b = ProxyProtocol.encode(v, s, d, UnpooledByteBufAllocator.DEFAULT);
    try {
      return ByteBufUtil.getBytes(b);
    } finally {
      b.release();
    }
  }

  @Test
  void v1RoundTrips() {
    byte[] line = encode(ProxyProtocolVersion.V1, SRC, DST);
    assertEquals("PROXY TCP4 192.0.2.10 198.51.100.2 51234 443\r\n", new String(line, StandardCharsets.US_ASCII));
    Result r = ProxyProtocol.parse(line);
    assertEquals(new Result(Status.VALID, new ProxyHeader(SRC, DST), line.length, null), r);
    byte[] six = encode(ProxyProtocolVersion.V1, SRC6, DST6);
    assertEquals("PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n", new String(six, StandardCharsets.US_ASCII));
    assertEquals(new ProxyHeader(SRC6, DST6), ProxyProtocol.parse(six).header());
    assertEquals("PROXY TCP6 ::ffff:192.0.2.10 2001:db8::2 51234 65535\r\n",
        new String(encode(ProxyProtocolVersion.V1, SRC, DST6), StandardCharsets.US_ASCII));
    assertEquals("PROXY UNKNOWN\r\n", new String(encode(ProxyProtocolVersion.V1, null, DST), StandardCharsets.US_ASCII));
  }

  @Test
  void v2RoundTrips() {
    for (InetSocketAddress[] pair : new InetSocketAddress[][] {{SRC, DST}, {SRC6, DST6}}) {
      byte[] h = encode(ProxyProtocolVersion.V2, pair[0], pair[1]);
      assertEquals(new Result(Status.VALID, new ProxyHeader(pair[0], pair[1]), h.length, null), ProxyProtocol.parse(h));
    }
    byte[] local = encode(ProxyProtocolVersion.V2, null, null);
    assertEquals(new Result(Status.VALID, ProxyHeader.LOCAL, 16, null), ProxyProtocol.parse(local));
  }

  @Test
  void v2SkipsTlvsAndKeepsWhatFollows() {
    byte[] h = encode(ProxyProtocolVersion.V2, SRC, DST);
    byte[] withTlv = Arrays.copyOf(h, h.length + 5 + 3);
    withTlv[15] = (byte) (12 + 5);                            // length now covers one TLV of 2 bytes
    withTlv[h.length] = 0x04;                                 // PP2_TYPE_NOOP
    withTlv[h.length + 2] = 2;
    Result r = ProxyProtocol.parse(withTlv);
    assertEquals(Status.VALID, r.status());
    assertEquals(h.length + 5, r.length());
  }

  @Test
  void partialHeadersAskForMore() {
    byte[] h = encode(ProxyProtocolVersion.V2, SRC6, DST6);
    for (int n = 0; n < h.length; n++) {
      assertEquals(Status.INCOMPLETE, ProxyProtocol.parse(Arrays.copyOf(h, n)).status(), "v2 prefix of " + n);
    }
    assertEquals(Status.INCOMPLETE, parse("PROXY TCP4 1.2.3.4").status());
    assertEquals(Status.INCOMPLETE, parse("PRO").status());
    assertEquals(Status.ABSENT, parse("GET / HTTP/1.1\r\n").status());
  }

  @Test
  void malformedHeadersSayWhatIsWrong() {
    assertEquals("PROXY v1: invalid TCP4 source address \"999.1.1.1\"",
        parse("PROXY TCP4 999.1.1.1 1.2.3.4 1 2\r\n").problem());
    assertEquals("PROXY v1: invalid TCP4 destination address \"::1\"",
        parse("PROXY TCP4 1.2.3.4 ::1 1 2\r\n").problem());
    assertEquals("PROXY v1: invalid TCP6 source address \"example.com\"",
        parse("PROXY TCP6 example.com ::1 1 2\r\n").problem());
    assertEquals("PROXY v1: invalid source port \"65536\"", parse("PROXY TCP4 1.2.3.4 1.2.3.4 65536 2\r\n").problem());
    assertEquals("PROXY v1: invalid destination port \"02\"", parse("PROXY TCP4 1.2.3.4 1.2.3.4 1 02\r\n").problem());
    assertEquals("PROXY v1: protocol must be TCP4, TCP6 or UNKNOWN, got \"UDP4\"",
        parse("PROXY UDP4 1.2.3.4 1.2.3.4 1 2\r\n").problem());
    assertEquals("PROXY v1: expected 6 fields separated by single spaces, got 7",
        parse("PROXY TCP4 1.2.3.4  1.2.3.4 1 2\r\n").problem());
    assertEquals("PROXY v1: line must end with CRLF", parse("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n").problem());
    assertEquals("PROXY v1: header has a non-printable byte at offset 10",
        parse("PROXY TCP4\0 1.2.3.4 1.2.3.4 1 2\r\n").problem());
    assertEquals("PROXY v1: no CRLF within 107 bytes", parse("PROXY " + "x".repeat(200)).problem());
    byte[] h = encode(ProxyProtocolVersion.V2, SRC, DST);
    byte[] bad = h.clone();
    bad[12] = 0x31;
    assertEquals("PROXY v2: version 3, expected 2", ProxyProtocol.parse(bad).problem());
    bad = h.clone();
    bad[12] = 0x22;
    assertEquals("PROXY v2: unknown command 2 (0 is LOCAL, 1 is PROXY)", ProxyProtocol.parse(bad).problem());
    bad = h.clone();
    bad[13] = 0x12;
    assertEquals("PROXY v2: transport 2 is not STREAM (1)", ProxyProtocol.parse(bad).problem());
    bad = h.clone();
    bad[13] = 0x41;
    assertEquals("PROXY v2: unknown address family 4", ProxyProtocol.parse(bad).problem());
    bad = Arrays.copyOf(h, 16 + 4);
    bad[15] = 4;
    assertEquals("PROXY v2: address block of 4 bytes, family INET needs 12", ProxyProtocol.parse(bad).problem());
    bad = Arrays.copyOf(h, h.length + 2);
    bad[15] = 14;
    assertEquals("PROXY v2: truncated TLV at offset 0", ProxyProtocol.parse(bad).problem());
    bad = Arrays.copyOf(h, h.length + 3);
    bad[15] = 15;
    bad[h.length + 2] = 9;
    assertEquals("PROXY v2: TLV of 9 bytes overruns the header", ProxyProtocol.parse(bad).problem());
  }

  @Test
  void signatureSniffing() {
    assertEquals(ProxyProtocol.Signature.PRESENT, ProxyProtocol.signature(buf("PROXY nonsense")));
    assertEquals(ProxyProtocol.Signature.UNDECIDED, ProxyProtocol.signature(buf("PROX")));
    assertEquals(ProxyProtocol.Signature.ABSENT, ProxyProtocol.signature(buf("PROXIMITY")));
    assertEquals(ProxyProtocol.Signature.ABSENT, ProxyProtocol.signature(buf("hello")));
  }

  @Test
  void randomBytesNeverThrow() {
    Random random = new Random(42);
    byte[] v2 = encode(ProxyProtocolVersion.V2, SRC6, DST6);
    for (int i = 0; i < 20_000; i++) {
      byte[] data = i % 2 == 0 ? v2.clone() : ("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n").getBytes(UTF_8);
      data = Arrays.copyOf(data, random.nextInt(data.length + 8));
      for (int k = random.nextInt(4); k > 0 && data.length > 0; k--) {
        data[random.nextInt(data.length)] = (byte) random.nextInt(256);
      }
      Result r = ProxyProtocol.parse(data);
      assertEquals(r.status() == Status.INVALID, r.problem() != null);
    }
  }

  private static ByteBuf buf(String s) {
    return io.netty.buffer.Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }
}
