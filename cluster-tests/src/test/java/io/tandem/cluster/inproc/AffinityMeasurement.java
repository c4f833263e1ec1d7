package io.tandem.cluster.inproc;

import io.tandem.bootstrap.TandemNode;
import io.tandem.affinity.AffinityTable;
import io.tandem.cluster.Sessions;
import io.tandem.config.PersistenceConfig;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.TestConfigs;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measurements for the closing note, not assertions: run with {@code -Dmeasure=true}. Three nodes in this
 * JVM; prints lines starting with {@code MEASURE}.
 */
@EnabledIfSystemProperty(named = "measure", matches = "true")
class AffinityMeasurement {

  @Test
  void bindingPropagationAndMemory() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<FakeBackend> backends = new ArrayList<>();
    TestConfigs.PoolBuilder pool = TestConfigs.pool("app").persistence(
        new PersistenceConfig(PersistenceConfig.Type.NONE, null, Duration.ofMinutes(30), "JSESSIONID"));
    for (String id : List.of("b1", "b2", "b3")) {
      FakeBackend b = FakeBackend.start(vertx, id);
      Sessions.serveLogins(b);
      backends.add(b);
      pool.backend(id, b.port());
    }
    Sessions client = new Sessions();
    try (LocalCluster cluster = new LocalCluster(3)) {
      List<TandemNode> nodes = cluster.start(pool);
      int n1 = nodes.get(0).port("web");
      AffinityTable n2 = nodes.get(1).affinity();
      for (int i = 0; i < 200; i++) {   // warm-up
        client.login(n1, "warm" + i);
        client.backendFor(n1, "warm" + i);
      }
      List<Long> honoured = new ArrayList<>();
      List<Long> login = new ArrayList<>();
      List<Long> plain = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        String id = "m" + i;
        long a = System.nanoTime();
        client.login(n1, id);
        long answered = System.nanoTime();
        while (n2.lookup("app", id) == null) {
          if (System.nanoTime() - answered > TimeUnit.SECONDS.toNanos(5)) {
            throw new AssertionError(id + " never reached n2's cache");
          }
          Thread.onSpinWait();
        }
        honoured.add(System.nanoTime() - answered);
        login.add(answered - a);
        long b = System.nanoTime();
        client.backendFor(n1, id);
        plain.add(System.nanoTime() - b);
      }
      System.out.printf("MEASURE binding made through n1 found in n2's local cache, from n1's login answer: "
          + "p50 %s, p99 %s, max %s (500 sessions; negative times are impossible: the cache is read after the "
          + "answer arrived)%n", pct(honoured, 50), pct(honoured, 99), pct(honoured, 100));
      System.out.printf("MEASURE request latency through n1 (client view, one client): login that stores a binding "
          + "p50 %s p99 %s; request of a known session p50 %s p99 %s%n", pct(login, 50), pct(login, 99),
          pct(plain, 50), pct(plain, 99));

      int count = 100_000;
      long before = usedHeap();
      AffinityTable t1 = nodes.get(0).affinity();
      for (int start = 0; start < count; start += 1000) {
        List<CompletableFuture<String>> batch = new ArrayList<>();
        for (int i = start; i < start + 1000; i++) {
          batch.add(t1.bindIfAbsent("mem", "JSESSIONID-" + String.format("%032x", i), "b" + (i % 3 + 1),
              Duration.ofMinutes(30)).toCompletableFuture());
        }
        CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (nodes.stream().anyMatch(n -> n.affinity().size("mem") < count) && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      long after = usedHeap();
      System.out.printf("MEASURE memory for %d affinity entries (33-character keys), 3 members in one JVM (each "
          + "holds its primaries, a backup of others' and a full local cache): %d MB in total, %d MB per member; "
          + "cached on n1/n2/n3: %d/%d/%d%n", count, (after - before) >> 20, ((after - before) / 3) >> 20,
          nodes.get(0).affinity().size("mem"), nodes.get(1).affinity().size("mem"),
          nodes.get(2).affinity().size("mem"));
    } finally {
      backends.forEach(FakeBackend::close);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  private static String pct(List<Long> nanos, int p) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    int i = Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1);
    return String.format("%.2f ms", sorted.get(Math.max(0, i)) / 1e6);
  }
}
