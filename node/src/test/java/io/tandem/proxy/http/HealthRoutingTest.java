package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.HealthConfig;
import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import java.time.Duration;
import io.tandem.cluster.HealthState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Health checks and passive ejection steering real traffic through a real node. */
class HealthRoutingTest extends ProxyTestBase {
  private static final Duration INTERVAL = Duration.ofMillis(200);
  private static final Duration TIMEOUT = Duration.ofMillis(150);

  @Override
  protected int eventLoops() {
    return 2;
  }

  @Test
  void backendThatFailsChecksLeavesAfterFallFailedChecksAndReturnsAfterRise() throws Exception {
    FakeBackend b1 = backend("b1");
    FakeBackend b2 = backend("b2");
    AtomicBoolean b1Sick = new AtomicBoolean();
    AtomicInteger sickAnswers = new AtomicInteger();
    b1.behavior(req -> {
      if (req.uri().equals("/health") && b1Sick.get()) {
        sickAnswers.incrementAndGet();
        return Action.respond(503, "sick");
      }
      return Action.echo();
    });
    HealthConfig.Active active = new HealthConfig.Active(HealthConfig.CheckType.HTTP, "GET", "/health", null, 200,
        399, null, INTERVAL, TIMEOUT, 2, 3);
    start(config(eventLoops(), listener("web"), pool("app").backend("b1", b1.port()).backend("b2", b2.port())
        .health(new HealthConfig(active, null))));
    await().until(() -> node.registry().snapshot().pool("app").backends().get(0).healthy());

    // The verdict changes on the fall-th (3rd) failed check, not on wall-clock time: count the failed checks b1
    // had answered when the verdict went unhealthy (the next probe is a whole interval later).
    List<Integer> failedAtVerdict = new CopyOnWriteArrayList<>();
    node.shared().health().addListener((pool, id, verdict) -> {
      if (id.equals("b1") && verdict == HealthState.UNHEALTHY) {
        failedAtVerdict.add(sickAnswers.get());
      }
    });
    b1Sick.set(true);
    await().atMost(Duration.ofSeconds(5)).until(() -> !node.registry().snapshot().pool("app").byId().get("b1")
        .healthy());
    assertEquals(List.of(3), failedAtVerdict, "unhealthy once, after exactly fall=3 failed checks");
    b1.clearReceived();
    for (int i = 0; i < 10; i++) {
      assertEquals("b2", get("/").headers().firstValue("x-backend").orElseThrow());
    }
    assertTrue(b1.received().stream().allMatch(r -> r.uri().equals("/health")), "only probes reach b1");

    b1Sick.set(false);
    await().atMost(Duration.ofSeconds(5)).until(() -> node.registry().snapshot().pool("app").byId().get("b1")
        .healthy());
    await().until(() -> get("/").headers().firstValue("x-backend").orElseThrow().equals("b1"));
  }

  @Test
  void passiveEjectionTakesAFailingBackendOutOfRotation() throws Exception {
    FakeBackend bad = backend("bad");
    FakeBackend good = backend("good");
    bad.always(Action.respond(500, "boom"));
    HealthConfig.Passive passive = new HealthConfig.Passive(3, Duration.ofSeconds(30), 50);
    start(config(eventLoops(), listener("web"), pool("app").backend("bad", bad.port()).backend("good", good.port())
        .health(new HealthConfig(null, passive))));
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      get("/");
      return node.registry().snapshot().pool("app").byId().get("bad").ejected();
    });
    bad.clearReceived();
    for (int i = 0; i < 10; i++) {
      assertEquals(200, get("/").statusCode());
    }
    assertTrue(bad.received().isEmpty(), "an ejected backend receives nothing");
  }
}
