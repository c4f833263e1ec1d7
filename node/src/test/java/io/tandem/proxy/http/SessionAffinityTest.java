package io.tandem.proxy.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.affinity.AffinityTable;
import io.tandem.affinity.KeyBinding;
import io.tandem.balancing.LoadBalancer;
import io.tandem.config.PersistenceConfig;
import io.tandem.testing.TestBackend;
import io.tandem.testing.TestConfigs;
import io.tandem.upstream.Backend;
import io.tandem.upstream.PoolSnapshot;
import io.vertx.core.MultiMap;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** Session persistence decisions, and degraded mode: a shared table that never answers never holds a request. */
class SessionAffinityTest {
  private final Backend b1 = TestBackend.of("b1", 1);
  private final Backend b2 = TestBackend.of("b2", 1);

  /** A shared table that is partitioned away: nothing it is asked ever completes. */
  private static final class Unreachable implements AffinityTable {
    @Override
    public String lookup(String pool, String key) {
      return null;
    }

    @Override
    public CompletionStage<String> bindIfAbsent(String pool, String key, String backendId, Duration idle) {
      return new CompletableFuture<>();
    }

    @Override
    public CompletionStage<Void> rebind(String pool, String key, String backendId, Duration idle) {
      return new CompletableFuture<>();
    }

    @Override
    public CompletionStage<String> fetch(String pool, String key) {
      return new CompletableFuture<>();
    }

    @Override
    public int size(String pool) {
      return 0;
    }
  }

  private PoolSnapshot pool(PersistenceConfig persistence) {
    return new PoolSnapshot(TestConfigs.pool("app").backend("b1", 1).backend("b2", 2).persistence(persistence).build(),
        List.of(b1, b2), Map.of("b1", b1, "b2", b2), Map.of(b1.cookieToken(), b1, b2.cookieToken(), b2),
        LoadBalancer.roundRobin(List.of(b1, b2)), null, null);
  }

  @Test
  void anUnreachableTableDelaysNeitherTheLookupNorTheResponseForLong() {
    PersistenceConfig learn = new PersistenceConfig(PersistenceConfig.Type.NONE, null, Duration.ofMinutes(5),
        "JSESSIONID");
    SessionAffinity session = new SessionAffinity(pool(learn), new Unreachable(), "JSESSIONID=abc", "10.0.0.1");
    assertNull(session.local());
    assertTrue(session.needsRemote());
    CompletableFuture<Backend> remote = session.remote().toCompletableFuture();
    await().atMost(Duration.ofMillis(KeyBinding.SHARED_WAIT_MILLIS * 10)).until(remote::isDone);
    assertNull(remote.join(), "no answer from the table: a fresh choice");

    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Set-Cookie", "JSESSIONID=new; Path=/");
    CompletableFuture<Void> stored = session.record(headers, b2).toCompletableFuture();
    assertFalse(stored.isDone(), "waits for the store, as long as the table might still answer");
    await().atMost(Duration.ofMillis(KeyBinding.SHARED_WAIT_MILLIS * 10)).until(stored::isDone);
  }

  @Test
  void insertedCookieWinsAndATamperedOneIsReplaced() {
    PersistenceConfig cookie = new PersistenceConfig(PersistenceConfig.Type.COOKIE,
        new PersistenceConfig.Cookie("SRV", "/", null, false, true, null, null), null, "JSESSIONID");
    SessionAffinity valid = new SessionAffinity(pool(cookie), new Unreachable(),
        "SRV=" + b2.cookieToken() + "; JSESSIONID=x", "10.0.0.1");
    assertEquals(b2, valid.local());
    assertEquals("b2", valid.requiredBackendId());

    SessionAffinity forged = new SessionAffinity(pool(cookie), new Unreachable(), "SRV=forged", "10.0.0.1");
    assertNull(forged.local());
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    forged.record(headers, b1);
    assertEquals("SRV=" + b1.cookieToken() + "; Path=/; HttpOnly", headers.get("Set-Cookie"));
  }

  @Test
  void learnedValueIsReadFromSetCookieLines() {
    assertEquals("abc", SessionAffinity.learnedValue(List.of("a=1", "JSESSIONID=abc; Path=/; HttpOnly"),
        "JSESSIONID"));
    assertNull(SessionAffinity.learnedValue(List.of("JSESSIONIDX=abc"), "JSESSIONID"));
    assertNull(SessionAffinity.learnedValue(List.of("JSESSIONID=; Max-Age=0"), "JSESSIONID"));
  }
}
