package io.tandem.cluster.inproc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.bootstrap.TandemNode;
import io.tandem.config.PersistenceConfig;
import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A session learned through one node is honoured by every node at once. */
class SharedSessionTest {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private HttpResponse<String> get(TandemNode node, String path, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port("web") + path))
        .timeout(Duration.ofSeconds(10));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void learnedSessionFollowsTheClientThroughEveryNode() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<FakeBackend> backends = List.of(FakeBackend.start(vertx, "b1"), FakeBackend.start(vertx, "b2"),
        FakeBackend.start(vertx, "b3"));
    TestConfigs.PoolBuilder pool = TestConfigs.pool("app").persistence(
        new PersistenceConfig(PersistenceConfig.Type.NONE, null, Duration.ofMinutes(5), "JSESSIONID"));
    for (FakeBackend b : backends) {
      pool.backend(b.name(), b.port());
      b.behavior(req -> req.uri().startsWith("/login")
          ? c -> c.respond(200, List.of("Set-Cookie: JSESSIONID=" + req.uri().substring("/login".length()) + "; Path=/",
              "X-Backend: " + c.backendName()), Buffer.buffer("ok"))
          : Action.echo());
    }
    try (LocalCluster cluster = new LocalCluster(3)) {
      List<TandemNode> nodes = cluster.start(pool);
      for (int s = 0; s < 20; s++) {
        String id = "sess" + s;
        String owner = get(nodes.get(s % 3), "/login" + id, null).headers().firstValue("x-backend").orElseThrow();
        for (TandemNode other : nodes) {
          // Immediately afterwards, through every node: the binding was stored before the login answer left.
          assertEquals(owner, get(other, "/cart", "JSESSIONID=" + id).headers().firstValue("x-backend")
              .orElseThrow(), id + " through another node");
        }
      }
    } finally {
      backends.forEach(FakeBackend::close);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
