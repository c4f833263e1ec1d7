package io.tandem.testing;

import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process HTTP/1.1 backend for proxy integration tests, on a real socket at 127.0.0.1 and an ephemeral port.
 *
 * <p>It is built on a raw Vert.x {@code NetServer} with its own small parser, so it can misbehave at the byte level:
 * reset, hang, close mid-body, answer garbage. It records every request it receives ({@link #received()}) and
 * answers each with the {@link Action} that its {@link Behavior} picks, changeable at any time. Example:
 * <pre>{@code
 * FakeBackend a = FakeBackend.start(vertx, "a");
 * a.behavior(req -> req.uri().equals("/boom") ? Action.reset() : Action.echo());
 * // ... send traffic through the proxy to 127.0.0.1:a.port() ...
 * Received seen = a.awaitRequests(1).get(0);
 * a.close();
 * }</pre>
 * The default behavior is {@link Action#echo()}: 200 with a JSON body naming the backend and echoing what it saw.
 */
public final class FakeBackend implements AutoCloseable {

  /** Chooses the action for each request; called on the connection's event loop, must not block. */
  @FunctionalInterface
  public interface Behavior {
    Action decide(Received request);
  }

  public static final String HOST = "127.0.0.1";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Vertx vertx;
  private final String name;
  private final NetServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<String> parseErrors = new CopyOnWriteArrayList<>();
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile Behavior behavior = request -> Action.echo();
  private volatile boolean sendContinue = true;

  private final String host;

  private FakeBackend(Vertx vertx, String name, NetServerOptions options) {
    this.vertx = vertx;
    this.name = name;
    this.host = options.getPort() > 0 ? options.getHost() : HOST;
    this.server = vertx.createNetServer(options.getPort() > 0 ? options : options.setHost(HOST).setPort(0));
    server.connectHandler(this::accept);
  }

  /** Starts a backend named {@code name} and waits (at most 10 s) until it listens. */
  public static FakeBackend start(Vertx vertx, String name) {
    return start(vertx, name, new NetServerOptions());
  }

  /**
   * A backend on a given address and port, as discovered backends are (several loopback addresses such as
   * 127.0.0.2 and 127.0.0.3 on one port, as DNS A records give them).
   */
  public static FakeBackend startAt(Vertx vertx, String name, String host, int port) {
    return start(vertx, name, new NetServerOptions().setHost(host).setPort(port));
  }

  /** A backend speaking HTTPS with the PEM certificate chain and key given. */
  public static FakeBackend startTls(Vertx vertx, String name, java.nio.file.Path cert, java.nio.file.Path key) {
    return start(vertx, name, new NetServerOptions().setSsl(true).setKeyCertOptions(
        new io.vertx.core.net.PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString())));
  }

  private static FakeBackend start(Vertx vertx, String name, NetServerOptions options) {
    FakeBackend backend = new FakeBackend(vertx, Objects.requireNonNull(name), options);
    block(backend.server.listen());
    return backend;
  }

  private void accept(NetSocket socket) {
    int id = accepted.incrementAndGet();
    open.add(socket);
    socket.closeHandler(v -> open.remove(socket));
    new FakeConnection(this, vertx, socket, id);
  }

  public String name() {
    return name;
  }

  public int port() {
    return server.actualPort();
  }

  /** "127.0.0.1:port", as a backend address in a test config. */
  public String address() {
    return host + ":" + port();
  }

  /** Sets the function that picks the action for each following request. */
  public FakeBackend behavior(Behavior newBehavior) {
    this.behavior = Objects.requireNonNull(newBehavior);
    return this;
  }

  /** Answers every following request with {@code action}. */
  public FakeBackend always(Action action) {
    Objects.requireNonNull(action);
    return behavior(request -> action);
  }

  /**
   * Whether to send {@code HTTP/1.1 100 Continue} before reading the body of a request with
   * {@code Expect: 100-continue} (default true). With false the backend just waits for the body.
   */
  public FakeBackend sendContinue(boolean send) {
    this.sendContinue = send;
    return this;
  }

  /** The requests received so far, in completion order. */
  public List<Received> received() {
    return List.copyOf(received);
  }

  /** Waits (at most 10 s) until at least {@code n} requests arrived, then returns all received so far. */
  public List<Received> awaitRequests(int n) {
    await().atMost(TIMEOUT).until(() -> received.size() >= n);
    return received();
  }

  /** Forgets the requests received so far (connection counters are kept). */
  public void clearReceived() {
    received.clear();
  }

  /** Messages for malformed requests; each was also answered with 400 and a closed connection. */
  public List<String> parseErrors() {
    return List.copyOf(parseErrors);
  }

  /** Connections accepted since start. */
  public int connectionCount() {
    return accepted.get();
  }

  /** Connections currently open. */
  public int openConnections() {
    return open.size();
  }

  /** Closes every open connection and the listening socket; waits at most 10 s. Idempotent. */
  public void stop() {
    open.forEach(NetSocket::close);
    block(server.close());
  }

  @Override
  public void close() {
    stop();
  }

  /** A port on 127.0.0.1 where nothing listens (an ephemeral port bound, then released): connecting is refused. */
  public static int refusingPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind an ephemeral port on " + HOST, e);
    }
  }

  Behavior behavior() {
    return behavior;
  }

  boolean sendsContinue() {
    return sendContinue;
  }

  void record(Received request) {
    received.add(request);
  }

  void parseError(String message) {
    parseErrors.add(message);
  }

  private static <T> T block(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the fake backend", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("fake backend did not start or stop in " + TIMEOUT, e);
    }
  }
}
