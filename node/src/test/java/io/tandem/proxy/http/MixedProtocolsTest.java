package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.TestTls;
import io.tandem.config.BackendProtocol;
import io.tandem.config.TlsConfig;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.NoLeakedBuffers;
import io.tandem.testing.RawHttp;
import io.tandem.testing.Received;
import io.tandem.testing.TestCerts;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients and backends of different HTTP versions: an HTTP/1.1 client to an h2c pool (requests as HTTP/2 streams,
 * responses back as HTTP/1.1, chunked where the backend gave no length, its trailers in the last chunk), and an
 * HTTP/2 client to an HTTP/1.1 pool with a body of unannounced length.
 */
@ExtendWith(NoLeakedBuffers.class)
class MixedProtocolsTest extends ProxyTestBase {
  @TempDir
  static Path dir;
  static TestCerts.Pair front;

  /** What the HTTP/2 backend saw: method, path, version, headers, body. */
  record Seen(String method, String uri, HttpVersion version, String authority, MultiMap headers, String body) {}

  private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
  private HttpServer h2c;

  @Override
  protected int eventLoops() {
    return 2;
  }

  @BeforeAll
  static void certificates() {
    front = TestCerts.create(dir).leaf("front", "mixed.tandem.test");
  }

  /** An h2c (prior knowledge) backend: echoes the body, /big sends 1 MiB without a length, /trailers adds some. */
  @BeforeEach
  void startH2cBackend() throws Exception {
    h2c = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
        .setHttp2ClearTextEnabled(true)).requestHandler(req -> req.body().onSuccess(body -> {
          seen.add(new Seen(req.method().name(), req.uri(), req.version(),
              req.authority() == null ? null : req.authority().toString(),
              MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), body.toString()));
          var resp = req.response().putHeader("x-backend", "h2");
          if (req.path().equals("/big")) {
            resp.setChunked(true);
            byte[] piece = new byte[16 * 1024];
            for (int i = 0; i < 64; i++) {
              java.util.Arrays.fill(piece, (byte) ('a' + i % 26));
              resp.write(Buffer.buffer(piece));
            }
            resp.end();
          } else if (req.path().equals("/trailers")) {
            resp.setChunked(true).write("with trailers");
            resp.putTrailer("x-checksum", "42");
            resp.end();
          } else {
            resp.end("echo:" + body);
          }
        })).listen().await(10, TimeUnit.SECONDS);
  }

  private void startH2cPool() throws Exception {
    start(config(eventLoops(), listener("web"), pool("app").protocol(BackendProtocol.H2C)
        .backend("h2", h2c.actualPort())));
  }

  @Test
  void http1ClientToAnH2cPool() throws Exception {
    startH2cPool();
    try (RawHttp c = new RawHttp(port())) {
      c.send("GET /one?x=1 HTTP/1.1\r\nHost: app.example\r\nConnection: keep-alive\r\nTE: trailers\r\n\r\n");
      RawHttp.Response r = c.read();
      assertEquals(200, r.status());
      assertEquals("echo:", r.bodyText());
      assertEquals("h2", r.header("x-backend"));
      c.send("POST /two HTTP/1.1\r\nHost: app.example\r\nContent-Length: 5\r\n\r\nhello");
      assertEquals("echo:hello", c.read().bodyText());
      c.send("POST /three HTTP/1.1\r\nHost: app.example\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n");
      assertEquals("echo:abcdefg", c.read().bodyText());
    }
    List<Seen> got = List.copyOf(seen);
    assertEquals(3, got.size());
    Seen first = got.get(0);
    assertEquals(HttpVersion.HTTP_2, first.version());
    assertEquals("GET", first.method());
    assertEquals("/one?x=1", first.uri());
    assertEquals("app.example", first.authority(), "the client's Host is the :authority");
    assertEquals("127.0.0.1", first.headers().get("x-forwarded-for"));
    assertNull(first.headers().get("connection"), "no connection-specific header on HTTP/2");
    assertEquals("trailers", first.headers().get("te"));
    assertEquals("hello", got.get(1).body());
    assertEquals("abcdefg", got.get(2).body());
    assertNull(got.get(2).headers().get("transfer-encoding"));
  }

  @Test
  void responsesWithoutALengthAreChunkedWithTheirTrailers() throws Exception {
    startH2cPool();
    try (RawHttp c = new RawHttp(port())) {
      c.send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
      RawHttp.Response big = c.read();
      assertEquals("chunked", big.header("transfer-encoding"));
      assertEquals(1024 * 1024, big.body().length);
      for (int i = 0; i < 64; i++) {
        assertEquals((byte) ('a' + i % 26), big.body()[i * 16 * 1024 + 100]);
      }
      c.send("GET /trailers HTTP/1.1\r\nHost: a\r\n\r\n");
      RawHttp.Response t = c.read();
      assertEquals("with trailers", t.bodyText());
      assertEquals(List.of("x-checksum: 42"), t.trailerLines());
    }
  }

  @Test
  void anHttp10ClientReadsToTheClose() throws Exception {
    startH2cPool();
    try (RawHttp c = new RawHttp(port())) {
      c.send("GET /big HTTP/1.0\r\nHost: a\r\n\r\n");
      RawHttp.Response r = c.read();
      assertNull(r.header("transfer-encoding"));
      assertEquals(1024 * 1024, r.body().length);
    }
  }

  @Test
  void http2ClientToAnHttp1PoolStreamsABodyOfUnannouncedLength() throws Exception {
    FakeBackend b = backend("b1");
    TlsConfig tls = TestTls.tls(null, List.of(front));
    start(config(eventLoops(), listener("web").tls(tls), pool("app").backend(b.name(), b.port())));
    HttpClientAgent h2 = vertx.httpClientBuilder().with(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setSsl(true).setUseAlpn(true).setTrustAll(true).setVerifyHost(false)).build();
    String body = h2.request(new RequestOptions().setMethod(HttpMethod.POST).setPort(port()).setHost("127.0.0.1")
            .setURI("/upload"))
        .compose(req -> {
          req.setChunked(true);   // HTTP/2: DATA frames, no Content-Length
          req.write("part one, ");
          return req.end("part two").compose(v -> req.response().compose(resp -> resp.body()));
        })
        .await(10, TimeUnit.SECONDS).toString();
    assertTrue(body.contains("POST"), body);   // the fake backend's echo
    Received r = b.awaitRequests(1).get(0);
    assertEquals("POST", r.method());
    assertEquals("part one, part two", new String(r.body(), StandardCharsets.UTF_8));
    assertTrue(r.header("content-length") != null || "chunked".equalsIgnoreCase(r.header("transfer-encoding")));
  }

  @Test
  void http1ClientBodyToAnH2cPoolKeepsItsBytes() throws Exception {
    startH2cPool();
    byte[] payload = new byte[200_000];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) ('A' + i % 23);
    }
    try (RawHttp c = new RawHttp(port())) {
      c.send(("PUT /bulk HTTP/1.1\r\nHost: a\r\nContent-Length: " + payload.length + "\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      c.send(payload);
      RawHttp.Response r = c.read();
      assertEquals(200, r.status());
      assertArrayEquals(("echo:" + new String(payload, StandardCharsets.ISO_8859_1))
          .getBytes(StandardCharsets.ISO_8859_1), r.body());
    }
  }
}
