package io.tandem.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeBackendTest {
  private static Vertx vertx;
  private FakeBackend backend;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void startBackend() {
    backend = FakeBackend.start(vertx, "alpha");
  }

  @AfterEach
  void stopBackend() {
    backend.close();
  }

  @Test
  void echoesWhatItReceivedAndRecordsTheRequest() throws IOException {
    try (Raw raw = new Raw(backend.port())) {
      raw.send("GET /path?q=1 HTTP/1.1\r\nHost: example\r\nX-Thing: one\r\nx-thing: two\r\n\r\n");
      String head = raw.readHead();
      assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
      assertTrue(head.contains("X-Backend: alpha\r\n"), head);
      JsonObject json = new JsonObject(raw.readString(contentLength(head)));
      assertEquals("alpha", json.getString("backend"));
      assertEquals("GET", json.getString("method"));
      assertEquals("/path?q=1", json.getString("uri"));
      assertEquals(new JsonArray(List.of("Host: example", "X-Thing: one", "x-thing: two")), json.getJsonArray("headers"));

      Received r = backend.awaitRequests(1).get(0);
      assertEquals(List.of("Host: example", "X-Thing: one", "x-thing: two"), r.headerLines());
      assertEquals(List.of("one", "two"), r.headerValues("X-THING"));
      assertEquals("example", r.header("host"));
      assertEquals("127.0.0.1", r.remoteAddress().hostAddress());
      assertEquals(raw.socket.getLocalPort(), r.remoteAddress().port());
      assertEquals(1, r.connection());
    }
  }

  @Test
  void keepsTheConnectionAliveUntilTheRequestSaysClose() throws IOException {
    try (Raw raw = new Raw(backend.port())) {
      raw.send("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
      raw.readString(contentLength(raw.readHead()));
      raw.send("GET /2 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
      String head = raw.readHead();
      assertTrue(head.contains("Connection: close\r\n"), head);
      raw.readString(contentLength(head));
      assertEquals(-1, raw.in.read());
    }
    assertEquals(List.of(1, 1), backend.received().stream().map(Received::connection).toList());
    assertEquals(1, backend.connectionCount());
    await().until(() -> backend.openConnections() == 0);
  }

  @Test
  void readsBodiesByContentLengthAndChunked() throws IOException {
    try (Raw raw = new Raw(backend.port())) {
      raw.send("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
      raw.readString(contentLength(raw.readHead()));
      raw.send("POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "3;ext=1\r\nabc\r\n4\r\ndefg\r\n0\r\nTrailer: x\r\n\r\n");
      raw.readString(contentLength(raw.readHead()));
    }
    List<Received> received = backend.awaitRequests(2);
    assertEquals("hello", received.get(0).bodyAsString());
    assertEquals("abcdefg", received.get(1).bodyAsString());
  }

  @Test
  void answersWithTheChosenStatusHeadersAndBody() throws IOException {
    backend.behavior(req -> req.uri().equals("/missing")
        ? Action.respond(404, Map.of("X-Why", "gone"), "nope") : Action.echo());
    try (Raw raw = new Raw(backend.port())) {
      raw.send("GET /missing HTTP/1.1\r\nHost: h\r\n\r\n");
      String head = raw.readHead();
      assertEquals("HTTP/1.1 404 Not Found\r\nX-Why: gone\r\nContent-Length: 4\r\n\r\n", head);
      assertEquals("nope", raw.readString(4));
    }
  }

  @Test
  void answersChunked() throws IOException {
    backend.always(Action.chunked(200, "abcdefghi", 3));
    try (Raw raw = new Raw(backend.port())) {
      raw.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
      assertTrue(raw.readHead().contains("Transfer-Encoding: chunked\r\n"));
      assertEquals("3\r\nabc\r\n3\r\ndef\r\n3\r\nghi\r\n0\r\n\r\n", raw.readString(29));
    }
  }

  @Test
  void streamsALargeBodyToAVertxClient() throws Exception {
    int size = 10 * 1024 * 1024;
    backend.always(Action.largeBody(size));
    HttpClient client = vertx.createHttpClient();
    try {
      byte[] body = client.request(HttpMethod.GET, backend.port(), FakeBackend.HOST, "/big")
          .compose(req -> req.send().compose(resp -> resp.body()))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).getBytes();
      assertEquals(size, body.length);
      assertEquals(Action.largeBodyByte(size - 1), body[size - 1]);
      assertEquals(Action.largeBodyByte(12345), body[12345]);
    } finally {
      client.close();
    }
  }

  @Test
  void delaysTheAnswerWithATimer() throws IOException {
    ManualScheduler timers = new ManualScheduler(new ManualClock());
    backend.always(Action.echo().delayedBy(Duration.ofMillis(300), timers));
    try (Raw raw = new Raw(backend.port())) {
      raw.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
      backend.awaitRequests(1);
      await().atMost(Duration.ofSeconds(5)).until(() -> timers.pending() == 1);
      timers.advance(Duration.ofMillis(299));
      assertEquals(1, timers.pending(), "the timer has not fired before the delay");
      assertEquals(0, raw.in.available(), "no answer while the timer waits");
      timers.advance(Duration.ofMillis(1));
      assertEquals(0, timers.pending());
      assertTrue(raw.readHead().startsWith("HTTP/1.1 200"));
    }
  }

  @Test
  void delaysTheAnswerWithAVertxTimer() throws IOException {
    backend.always(Action.echo().delayedBy(Duration.ofMillis(50)));
    try (Raw raw = new Raw(backend.port())) {
      raw.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
      assertTrue(raw.readHead().startsWith("HTTP/1.1 200"));
    }
  }

  @Test
  void hangsUntilStopped() throws IOException {
    backend.always(Action.hang());
    try (Raw raw = new Raw(backend.port())) {
      raw.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
      backend.awaitRequests(1);
      raw.socket.setSoTimeout(200);
      assertThrows(SocketTimeoutException.class, () -> raw.in.read());
      assertEquals(1, backend.openConnections());
      backend.stop();
      raw.socket.setSoTimeout(5000);
      assertEquals(-1, raw.in.read());
    }
  }

  @Test
  void resetsTheConnection() throws IOException {
    backend.always(Action.reset());
    try (Raw raw = new Raw(backend.port())) {
      raw.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
      SocketException e = assertThrows(SocketException.class, () -> raw.in.read());
      assertEquals("Connection reset", e.getMessage());
    }
  }

  @Test
  void closesWithoutAnswerAfterHeadAndMidBody() throws IOException {
    backend.behavior(req -> switch (req.uri()) {
      case "/none" -> Action.closeWithoutAnswer();
      case "/head" -> Action.closeAfterHead();
      default -> Action.closeMidBody();
    });
    assertEquals("", exchange("GET /none HTTP/1.1\r\nHost: h\r\n\r\n"));
    assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", exchange("GET /head HTTP/1.1\r\nHost: h\r\n\r\n"));
    String mid = exchange("GET /mid HTTP/1.1\r\nHost: h\r\n\r\n");
    assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(500), mid);
  }

  @Test
  void answersGarbage() throws IOException {
    backend.always(Action.garbage());
    assertEquals("NOT HTTP\r\n\r\n", exchange("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
  }

  @Test
  void sendsContinueBeforeReadingTheBody() throws IOException {
    try (Raw raw = new Raw(backend.port())) {
      raw.send("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
      assertEquals("HTTP/1.1 100 Continue\r\n\r\n", raw.readHead());
      raw.send("hi");
      assertTrue(raw.readHead().startsWith("HTTP/1.1 200 OK"));
    }
    assertEquals("hi", backend.awaitRequests(1).get(0).bodyAsString());
  }

  @Test
  void canWaitForTheBodyWithoutSendingContinue() throws IOException {
    backend.sendContinue(false);
    try (Raw raw = new Raw(backend.port())) {
      raw.send("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
      raw.socket.setSoTimeout(200);
      assertThrows(SocketTimeoutException.class, () -> raw.in.read());
      raw.socket.setSoTimeout(5000);
      raw.send("hi");
      assertTrue(raw.readHead().startsWith("HTTP/1.1 200 OK"));
    }
  }

  @Test
  void upgradesAndEchoes() throws IOException {
    backend.always(Action.upgradeEcho());
    try (Raw raw = new Raw(backend.port())) {
      raw.send("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\nearly");
      String head = raw.readHead();
      assertTrue(head.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), head);
      assertTrue(head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), head); // RFC 6455 example
      assertEquals("early", raw.readString(5));
      raw.send("ping");
      assertEquals("ping", raw.readString(4));
    }
  }

  @Test
  void rejectsAMalformedRequestWith400() throws IOException {
    String answer = exchange("GET /\r\n\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 400 Bad Request\r\n"), answer);
    assertTrue(answer.endsWith("malformed request line: GET /\n"), answer);
    assertEquals(List.of("malformed request line: GET /"), backend.parseErrors());
    assertEquals(List.of(), backend.received());
  }

  @Test
  void refusingPortRefuses() {
    int port = FakeBackend.refusingPort();
    assertThrows(ConnectException.class, () -> new Socket(FakeBackend.HOST, port).close());
  }

  @Test
  void countsConnections() throws IOException {
    try (Raw first = new Raw(backend.port()); Raw second = new Raw(backend.port())) {
      await().until(() -> backend.openConnections() == 2);
    }
    assertEquals(2, backend.connectionCount());
    await().until(() -> backend.openConnections() == 0);
    assertEquals(FakeBackend.HOST + ":" + backend.port(), backend.address());
  }

  /** Sends one request and returns everything read until the backend closes. */
  private String exchange(String request) throws IOException {
    try (Raw raw = new Raw(backend.port())) {
      raw.send(request);
      return new String(raw.in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring(15).strip());
      }
    }
    throw new AssertionError("no Content-Length in " + head);
  }

  /** A blocking raw client: the test thread may block, the backend's event loops never do. */
  private static final class Raw implements AutoCloseable {
    final Socket socket;
    final InputStream in;

    Raw(int port) throws IOException {
      socket = new Socket(FakeBackend.HOST, port);
      socket.setSoTimeout(5000);
      in = socket.getInputStream();
    }

    void send(String text) throws IOException {
      socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
    }

    String readHead() throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      while (!out.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new AssertionError("closed after " + out.toString(StandardCharsets.ISO_8859_1));
        }
        out.write(b);
      }
      return out.toString(StandardCharsets.ISO_8859_1);
    }

    String readString(int n) throws IOException {
      return new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
