package io.tandem.health;

import io.tandem.cluster.HealthState;
import static io.tandem.cluster.HealthState.HEALTHY;
import static io.tandem.cluster.HealthState.UNHEALTHY;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.tandem.cluster.HealthBoard;
import io.tandem.cluster.LocalSharedState;
import io.tandem.config.ConfigLoader;
import io.tandem.config.PoolConfig;
import io.tandem.util.Clock;
import io.tandem.util.VertxScheduler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pool configured with {@code type: grpc}, checked by the real checker and probes: its backends' verdicts follow
 * what grpc-java's health service says.
 */
class GrpcHealthCheckTest {
  private final HealthStatusManager health = new HealthStatusManager();
  private Server grpc;
  private Vertx vertx;
  private Probes probes;
  private ActiveHealthChecker checker;
  private HealthBoard board;

  @BeforeEach
  void start() throws Exception {
    health.setStatus("my.pkg.Echo", ServingStatus.SERVING);
    grpc = GrpcProbeTest.grpcServer().addService(health.getHealthService()).build().start();
    vertx = Vertx.vertx();
    probes = new Probes(vertx);
    board = new LocalSharedState("n1", Clock.SYSTEM).health();
    checker = new ActiveHealthChecker(probes::forConfig, board, new VertxScheduler(vertx.getOrCreateContext()),
        Clock.SYSTEM);
  }

  @AfterEach
  void stop() throws Exception {
    checker.close();
    probes.close();
    grpc.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static PoolConfig pool(String backends) throws Exception {
    return ConfigLoader.parse("""
        listeners: [{name: web, bind: 127.0.0.1:8080, default-pool: app}]
        pools:
          - name: app
            backends: %s
            health:
              active: {type: grpc, service: my.pkg.Echo, interval: 100ms, timeout: 2s, rise: 2, fall: 2}
        """.formatted(backends), "test.yaml").pools().get(0);
  }

  private void awaitVerdict(String id, HealthState state, String detail) {
    await().atMost(Duration.ofSeconds(10)).until(() -> board.verdict("app", id) == state);
    assertEquals(detail, checker.lastResult("app", id).result().detail());
  }

  @Test
  void aBackendFollowsItsServingStatus() throws Exception {
    checker.apply(List.of(pool("[{id: g1, address: 127.0.0.1:" + grpc.getPort() + "}]")));
    awaitVerdict("g1", HEALTHY, "status SERVING");

    health.setStatus("my.pkg.Echo", ServingStatus.NOT_SERVING);
    awaitVerdict("g1", UNHEALTHY, "status NOT_SERVING");

    health.setStatus("my.pkg.Echo", ServingStatus.SERVING);
    awaitVerdict("g1", HEALTHY, "status SERVING");

    grpc.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    awaitVerdict("g1", UNHEALTHY, "connection refused");
  }

  @Test
  void aBackendThatIsNotGrpcNeverBecomesHealthy() throws Exception {
    int http1 = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
        .requestHandler(req -> req.response().end("ok")).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS)
        .actualPort();
    checker.apply(List.of(pool("[{id: g1, address: 127.0.0.1:" + grpc.getPort() + "}, {id: web, address: 127.0.0.1:"
        + http1 + "}]")));
    awaitVerdict("g1", HEALTHY, "status SERVING");
    awaitVerdict("web", UNHEALTHY, "not an HTTP/2 server: it answered in HTTP/1.x");
  }
}
