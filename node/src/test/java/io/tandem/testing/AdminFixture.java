package io.tandem.testing;

import io.tandem.bootstrap.TandemNode;
import io.tandem.config.AdminConfig;
import io.tandem.config.TandemConfig;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** A real standalone node with an admin listener on port 0, in front of fake backends b1, b2. */
public final class AdminFixture implements AutoCloseable {
  public static final String TOKEN = "test-admin-token-0123456789";

  public final Vertx vertx = Vertx.vertx();
  public final List<FakeBackend> backends = new ArrayList<>();
  public final TandemNode node;
  public final AdminClient admin;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  public AdminFixture(AdminConfig adminConfig, TestConfigs.PoolBuilder pool) throws Exception {
    this(adminConfig, TestConfigs.listener("web"), pool, UnaryOperator.identity());
  }

  /** With listener "web" as given, and a last change to the configuration (more pools, say) before the start. */
  public AdminFixture(AdminConfig adminConfig, TestConfigs.ListenerBuilder listener, TestConfigs.PoolBuilder pool,
      UnaryOperator<TandemConfig> adjust) throws Exception {
    for (String name : List.of("b1", "b2")) {
      FakeBackend b = FakeBackend.start(vertx, name);
      backends.add(b);
      pool.backend(name, b.port());
    }
    TandemConfig config = adjust.apply(TestConfigs.config(1, listener, pool).withAdmin(adminConfig));
    node = TandemNode.start(config).await(30, TimeUnit.SECONDS);
    admin = new AdminClient(node.adminPort(), adminConfig.token());
  }

  /** Token "test-admin-token-0123456789", reads open, pool "app" round-robin. */
  public static AdminFixture standard() throws Exception {
    return new AdminFixture(AdminConfig.listen("127.0.0.1", 0, TOKEN), TestConfigs.pool("app"));
  }

  /** One request through the traffic listener; answers the status and the X-Backend-Name header if any. */
  public HttpResponse<String> traffic(String path) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port("web") + path))
        .timeout(Duration.ofSeconds(10)).build();
    return http.send(req, HttpResponse.BodyHandlers.ofString());
  }

  public FakeBackend backend(String name) {
    return backends.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
  }

  @Override
  public void close() throws Exception {
    node.shutdown(Duration.ZERO).await(30, TimeUnit.SECONDS);
    backends.forEach(FakeBackend::close);
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
