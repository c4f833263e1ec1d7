package io.tandem.testing;

import io.tandem.util.Scheduler;
import io.tandem.util.VertxScheduler;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a {@link FakeBackend} does with one received request: answer it well, badly, late or never.
 *
 * <p>Pick one per request with {@link FakeBackend#behavior(FakeBackend.Behavior)}. The factories cover the faults
 * a proxy must survive; a test that needs something else writes its own against {@link FakeConnection}:
 * <pre>{@code
 * backend.behavior(req -> req.uri().startsWith("/slow") ? Action.echo().delayedBy(Duration.ofSeconds(2)) : Action.echo());
 * backend.always(Action.reset());
 * backend.always(c -> c.respond(200, List.of("Set-Cookie: a=1", "Set-Cookie: b=2"), Buffer.buffer("ok")));
 * }</pre>
 * Every action runs on the connection's event loop and must not block.
 */
@FunctionalInterface
public interface Action {

  /** Carries out the action; must eventually call one of the connection's answering or closing methods, or hang. */
  void perform(FakeConnection connection);

  /** This action, started after a Vert.x timer of {@code delay} (never a sleep). */
  default Action delayedBy(Duration delay) {
    return c -> delayedBy(delay, new VertxScheduler(c.vertx().getOrCreateContext())).perform(c);
  }

  /**
   * This action, started when {@code timers} fires a timer of {@code delay} (a {@link ManualScheduler}: when the test
   * moves it past the delay), back on the connection's event loop.
   */
  default Action delayedBy(Duration delay, Scheduler timers) {
    return c -> {
      Context loop = c.vertx().getOrCreateContext();
      timers.schedule(delay, () -> loop.runOnContext(v -> perform(c)));
    };
  }

  /** The default: 200, a JSON body naming the backend and echoing method, uri, header lines and body length. */
  static Action echo() {
    return c -> c.respond(200, List.of("Content-Type: application/json", "X-Backend: " + c.backendName()), c.echoBody());
  }

  static Action respond(int status) {
    return respond(status, Map.of(), "");
  }

  static Action respond(int status, String body) {
    return respond(status, Map.of(), body);
  }

  /**
   * Answers with Content-Length framing. A {@code Connection: close} header in {@code headers} makes the backend
   * close the connection after answering; otherwise it keeps the connection unless the request asked to close.
   */
  static Action respond(int status, Map<String, String> headers, String body) {
    List<String> lines = new ArrayList<>();
    headers.forEach((name, value) -> lines.add(name + ": " + value));
    return c -> c.respond(status, lines, Buffer.buffer(body));
  }

  /** Answers with {@code Transfer-Encoding: chunked}, the body split into {@code chunks} non-empty chunks. */
  static Action chunked(int status, String body, int chunks) {
    return c -> c.respondChunked(status, Buffer.buffer(body), chunks);
  }

  /**
   * 200 with a body of {@code bytes} bytes (Content-Length), streamed with back-pressure. Byte {@code i} is
   * {@link #largeBodyByte(long) largeBodyByte(i)}, so a test can check integrity.
   */
  static Action largeBody(long bytes) {
    return c -> c.respondLarge(bytes);
  }

  static byte largeBodyByte(long index) {
    return (byte) ('a' + index % 26);
  }

  /** Reads the request and never answers (the connection stays open until the client or stop() closes it). */
  static Action hang() {
    return c -> { };
  }

  /** Aborts the connection with a TCP RST (SO_LINGER 0, then close) instead of answering. */
  static Action reset() {
    return FakeConnection::reset;
  }

  /** Closes the connection cleanly (FIN) without answering. */
  static Action closeWithoutAnswer() {
    return FakeConnection::close;
  }

  /** Sends a head announcing {@code Content-Length: 1000}, then closes without any body. */
  static Action closeAfterHead() {
    return c -> c.writeThenClose(FakeConnection.head(200, List.of("Content-Length: 1000")));
  }

  /** Sends a head announcing {@code Content-Length: 1000} and 500 body bytes, then closes. */
  static Action closeMidBody() {
    return c -> c.writeThenClose(FakeConnection.head(200, List.of("Content-Length: 1000"))
        .appendBuffer(Buffer.buffer("x".repeat(500))));
  }

  /** Answers {@code NOT HTTP\r\n\r\n}, then closes. */
  static Action garbage() {
    return garbage("NOT HTTP\r\n\r\n");
  }

  static Action garbage(String bytes) {
    return c -> c.writeThenClose(Buffer.buffer(bytes));
  }

  /**
   * Answers {@code 101 Switching Protocols} with a correct {@code Sec-WebSocket-Accept}, then echoes every byte it
   * receives (no WebSocket framing: enough to prove a tunnel).
   */
  static Action upgradeEcho() {
    return FakeConnection::upgradeToEcho;
  }
}
