package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.cluster.AdminState;
import io.tandem.config.Algorithm;
import io.tandem.config.PersistenceConfig;
import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.NoLeakedBuffers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Session persistence through the proxy: inserted and learned cookies, source addresses, source hashing. Run on one
 * and on several event loops.
 */
@ExtendWith(NoLeakedBuffers.class)
abstract class ProxyPersistenceTests extends ProxyTestBase {
  @Test
  void cookiePersistenceSticksAndRecovers() throws Exception {
    FakeBackend b1 = backend("b1");
    FakeBackend b2 = backend("b2");
    PersistenceConfig cookie = new PersistenceConfig(PersistenceConfig.Type.COOKIE,
        new PersistenceConfig.Cookie("SRV", "/", Duration.ofHours(1), true, true, PersistenceConfig.SameSite.LAX,
            null), null);
    start(config(eventLoops(), listener("web"), pool("app").backend("b1", b1.port()).backend("b2", b2.port())
        .persistence(cookie)));
    HttpResponse<String> first = get("/");
    String setCookie = first.headers().firstValue("set-cookie").orElseThrow();
    assertTrue(setCookie.matches("SRV=[A-Za-z0-9_-]{16}; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax"),
        setCookie);
    assertFalse(setCookie.contains(String.valueOf(b1.port())) || setCookie.contains(String.valueOf(b2.port())));
    String value = setCookie.substring(0, setCookie.indexOf(';'));
    String pinned = first.headers().firstValue("x-backend").orElseThrow();
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r = get("/", "Cookie", "a=1; " + value);
      assertEquals(pinned, r.headers().firstValue("x-backend").orElseThrow());
      assertTrue(r.headers().firstValue("set-cookie").isEmpty(), "valid cookie is not re-set");
    }
    HttpResponse<String> tampered = get("/", "Cookie", "SRV=forged");
    assertTrue(tampered.headers().firstValue("set-cookie").orElseThrow().startsWith("SRV="));

    // Draining keeps existing sessions; disabling moves them with a fresh cookie.
    long v = node.registry().snapshot().version();
    node.registry().adminState("app", pinned, AdminState.DRAINING);
    await().until(() -> node.registry().snapshot().version() > v);
    assertEquals(pinned, get("/", "Cookie", value).headers().firstValue("x-backend").orElseThrow());
    for (int i = 0; i < 4; i++) {
      assertFalse(pinned.equals(get("/").headers().firstValue("x-backend").orElseThrow()), "no new sessions");
    }
    long v2 = node.registry().snapshot().version();
    node.registry().adminState("app", pinned, AdminState.DISABLED);
    await().until(() -> node.registry().snapshot().version() > v2);
    HttpResponse<String> moved = get("/", "Cookie", value);
    assertFalse(pinned.equals(moved.headers().firstValue("x-backend").orElseThrow()));
    assertTrue(moved.headers().firstValue("set-cookie").isPresent());
  }

  @Test
  void learnedApplicationCookieKeepsTheSessionOnItsBackend() throws Exception {
    FakeBackend b1 = backend("b1");
    FakeBackend b2 = backend("b2");
    for (FakeBackend b : List.of(b1, b2)) {
      b.behavior(req -> req.uri().equals("/login")
          ? c -> c.respond(200, List.of("Set-Cookie: JSESSIONID=s-" + c.backendName() + "; Path=/; HttpOnly",
              "X-Backend: " + c.backendName()), io.vertx.core.buffer.Buffer.buffer("welcome"))
          : Action.echo());
    }
    start(config(eventLoops(), listener("web"), pool("app").backend("b1", b1.port()).backend("b2", b2.port())
        .persistence(new PersistenceConfig(PersistenceConfig.Type.NONE, null, Duration.ofMinutes(5), "JSESSIONID"))));
    HttpResponse<String> login = get("/login");
    String owner = login.headers().firstValue("x-backend").orElseThrow();
    String session = login.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
    for (int i = 0; i < 6; i++) {
      assertEquals(owner, get("/cart", "Cookie", "theme=dark; " + session).headers().firstValue("x-backend")
          .orElseThrow(), "the learned session sticks");
    }
    Set<String> unknown = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      unknown.add(get("/cart", "Cookie", "JSESSIONID=never-issued").headers().firstValue("x-backend").orElseThrow());
    }
    assertEquals(1, unknown.size(), "an unknown value is bound on first use: " + unknown);
  }

  @Test
  void sourceAddressAffinityAndHashing() throws Exception {
    FakeBackend b1 = backend("b1");
    FakeBackend b2 = backend("b2");
    FakeBackend b3 = backend("b3");
    start(config(eventLoops(), listener("web"), pool("app").backend("b1", b1.port()).backend("b2", b2.port())
        .backend("b3", b3.port()).persistence(new PersistenceConfig(PersistenceConfig.Type.SOURCE_ADDRESS, null,
            Duration.ofMinutes(5)))));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 9; i++) {
      seen.add(get("/").headers().firstValue("x-backend").orElseThrow());
    }
    assertEquals(1, seen.size(), "one client address, one backend: " + seen);
  }

  @Test
  void sourceHashAlgorithmIsStable() throws Exception {
    FakeBackend b1 = backend("b1");
    FakeBackend b2 = backend("b2");
    start(config(eventLoops(), listener("web"), pool("app").algorithm(Algorithm.SOURCE_HASH)
        .backend("b1", b1.port()).backend("b2", b2.port())));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      seen.add(get("/").headers().firstValue("x-backend").orElseThrow());
    }
    assertEquals(1, seen.size());
  }
}
