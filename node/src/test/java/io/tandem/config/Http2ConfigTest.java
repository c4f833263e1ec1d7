package io.tandem.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.TestCerts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code h2c} and the {@code http2} block of a listener: values, defaults and the errors of misplaced ones. */
class Http2ConfigTest {
  @TempDir
  static Path dir;
  static String tls;

  @BeforeAll
  static void certificate() {
    TestCerts.Pair a = TestCerts.create(dir).leaf("a", "a.tandem.test");
    tls = "tls: {certificates: [{cert: \"" + a.cert() + "\", key: \"" + a.key() + "\"}]";
  }

  private static ListenerConfig listener(String lines) {
    return ConfigTexts.parses(ConfigTexts.listener(lines)).listeners().get(0);
  }

  @Test
  void h2cListenerWithItsGuards() {
    ListenerConfig l = listener("""
        h2c: true
        http2:
          max-concurrent-streams: 50
          max-header-list-size: 32KiB
          initial-window-size: 1MiB
          connection-window-size: 4MiB
          max-resets: 20
          reset-window: 10s
        """);
    assertTrue(l.h2c());
    assertTrue(l.speaksHttp2());
    assertEquals(new ListenerConfig.Http2(50, 32 * 1024, 1 << 20, 4 << 20, 20, Duration.ofSeconds(10)), l.http2());
  }

  @Test
  void defaultsTakeTheHeaderListSizeFromTheListenersHeaderLimit() {
    ListenerConfig plain = listener("limits: {max-header-size: 20000}");
    assertFalse(plain.h2c());
    assertFalse(plain.speaksHttp2());
    assertEquals(new ListenerConfig.Http2(100, 20000, 65535, 1 << 20, 200, Duration.ofSeconds(30)), plain.http2());
    ListenerConfig https = listener(tls + "}\nhttp2: {max-concurrent-streams: 10}");
    assertTrue(https.speaksHttp2());
    assertEquals(10, https.http2().maxConcurrentStreams());
    assertEquals(16384, https.http2().maxHeaderListSize());
  }

  @Test
  void h2cOnATlsListenerIsAnError() {
    assertEquals(List.of("listeners[0].h2c: applies to plain listeners only; this listener has tls, where HTTP/2 is"
        + " offered by ALPN (h2 in tls.alpn, the default)"), ConfigTexts.errors(ConfigTexts.listener(tls
        + "}\nh2c: true")));
  }

  @Test
  void h2cWithProxyProtocolIsAnError() {
    assertEquals(List.of("listeners[0].h2c: cannot be combined with proxy-protocol.accept: the PROXY header is read"
        + " by the HTTP/1.1 codec only, so an HTTP/2 connection behind it would never be recognised"),
        ConfigTexts.errors(ConfigTexts.listener("h2c: true\nproxy-protocol: {accept: true, trusted: [10.0.0.0/8]}")));
  }

  @Test
  void http2BlockNeedsAListenerThatSpeaksHttp2() {
    String why = "listeners[0].http2: applies only to listeners that speak HTTP/2: h2c: true, or tls with h2 in alpn";
    assertEquals(List.of(why), ConfigTexts.errors(ConfigTexts.listener("http2: {max-resets: 10}")));
    assertEquals(List.of(why), ConfigTexts.errors(ConfigTexts.listener(tls
        + ", alpn: [http/1.1]}\nhttp2: {max-resets: 10}")));
  }

  @Test
  void h2cAndHttp2AreHttpSettings() {
    assertEquals(List.of(
        "listeners[0].h2c: applies only to http listeners; this listener is tcp",
        "listeners[0].http2: applies only to http listeners; this listener is tcp"),
        ConfigTexts.errors(ConfigTexts.listener("protocol: tcp\nh2c: true\nhttp2: {max-resets: 10}")));
  }

  @Test
  void boundsAreCheckedAtLoad() {
    assertEquals(List.of(
        "listeners[0].http2: unknown key \"max-streams\"; expected one of: max-concurrent-streams,"
            + " max-header-list-size, initial-window-size, connection-window-size, max-resets, reset-window",
        "listeners[0].http2.max-concurrent-streams: must be at least 1, got 0",
        "listeners[0].http2.max-header-list-size: must be at least 1, got 0",
        "listeners[0].http2.initial-window-size: must be at least 65535, got 1024",
        "listeners[0].http2.connection-window-size: must be at most 2147483647, got 4294967296",
        "listeners[0].http2.max-resets: must be at least 1, got 0",
        "listeners[0].http2.reset-window: must be whole seconds, at least 1s (the HTTP/2 codec counts the window"
            + " in seconds), got 1500ms"),
        ConfigTexts.errors(ConfigTexts.listener("""
            h2c: true
            http2:
              max-concurrent-streams: 0
              max-header-list-size: 0
              initial-window-size: 1KiB
              connection-window-size: 4GiB
              max-resets: 0
              reset-window: 1s500ms
              max-streams: 5
            """)));
  }
}
