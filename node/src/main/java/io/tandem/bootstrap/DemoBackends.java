package io.tandem.bootstrap;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Three tiny HTTP backends for {@code tandem demo}, named b1, b2 and b3. Every path answers 200 with a short text
 * page saying which backend answered and what it received, so that routing, stickiness and the forwarded headers can
 * be seen with curl; {@code /health} answers {@code ok}. {@code /login} also sets an application session cookie,
 * {@code JSESSIONID=<random>; Path=/}, which Tandem learns: later requests carrying it reach the same backend.
 */
public final class DemoBackends {
  public static final String HOST = "127.0.0.1";
  /** The single-node demo's backends ({@code config/demo.yaml}). */
  public static final List<Integer> DEMO_PORTS = List.of(19101, 19102, 19103);
  /** The three-node demo's backends ({@code config/local-cluster.yaml}). */
  public static final List<Integer> CLUSTER_PORTS = List.of(19001, 19002, 19003);
  public static final List<String> NAMES = List.of("b1", "b2", "b3");

  private final List<HttpServer> servers;

  private DemoBackends(List<HttpServer> servers) {
    this.servers = List.copyOf(servers);
  }

  /**
   * Starts one backend per port (three ports; 0 picks a free one). Fails, naming the backend and address, if one
   * cannot bind; the others are closed again.
   */
  public static Future<DemoBackends> start(Vertx vertx, List<Integer> ports) {
    List<HttpServer> servers = new ArrayList<>();
    List<Future<HttpServer>> bound = new ArrayList<>();
    for (int i = 0; i < NAMES.size(); i++) {
      String name = NAMES.get(i);
      int port = ports.get(i);
      HttpServer server = vertx.createHttpServer().requestHandler(request -> answer(name, request));
      servers.add(server);
      bound.add(server.listen(port, HOST).recover(e -> Future.failedFuture(
          "demo backend " + name + " cannot bind " + HOST + ":" + port + ": " + e.getMessage())));
    }
    DemoBackends backends = new DemoBackends(servers);
    // Wait for every bind to settle (not only the first failure): closing a server whose listen is still under way
    // can leave that close pending forever.
    return Future.join(bound).transform(ar -> {
      if (ar.succeeded()) {
        return Future.succeededFuture(backends);
      }
      List<Future<Void>> closing = new ArrayList<>();
      for (int i = 0; i < servers.size(); i++) {
        if (bound.get(i).succeeded()) {
          closing.add(servers.get(i).close());
        }
      }
      return Future.join(closing).transform(closed -> Future.<DemoBackends>failedFuture(ar.cause()));
    });
  }

  /** The port backend {@code index} (0 for b1) is bound to. */
  public int port(int index) {
    return servers.get(index).actualPort();
  }

  public Future<Void> close() {
    return Future.join(servers.stream().map(HttpServer::close).toList()).mapEmpty();
  }

  private static void answer(String name, HttpServerRequest request) {
    request.response().putHeader("Content-Type", "text/plain; charset=utf-8").putHeader("X-Backend", name);
    if ("/health".equals(request.path())) {
      request.response().end("ok\n");
      return;
    }
    if ("/login".equals(request.path())) {
      String session = String.format("%016x", ThreadLocalRandom.current().nextLong());
      request.response().putHeader("Set-Cookie", "JSESSIONID=" + session + "; Path=/");
    }
    request.response().end(page(name, request));
  }

  static String page(String name, HttpServerRequest request) {
    return "Hello from backend " + name + "\n"
        + request.method() + " " + request.uri() + "\n"
        + "Host: " + orNone(request.getHeader("Host")) + "\n"
        + "X-Forwarded-For: " + orNone(request.getHeader("X-Forwarded-For")) + "\n"
        + "X-Request-Id: " + orNone(request.getHeader("X-Request-Id")) + "\n";
  }

  private static String orNone(String value) {
    return value == null ? "(none)" : value;
  }
}
