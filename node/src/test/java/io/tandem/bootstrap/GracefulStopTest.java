package io.tandem.bootstrap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.Hazelcast;
import io.tandem.config.Algorithm;
import io.tandem.config.ClusterConfig;
import io.tandem.config.HealthConfig;
import io.tandem.config.RateLimitConfig;
import io.tandem.config.TandemConfig;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.LogCapture;
import io.tandem.testing.MemberPorts;
import io.tandem.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A graceful stop of a real three-node cluster (one JVM, real Hazelcast members) that has carried traffic logs no
 * ERROR, no stack trace and no blocked event loop: an operator must not read a stop as a crash. What the log shows
 * instead, at WARN without a throwable: each remaining node's "cluster member nK ... left", and Hazelcast's own
 * "Removing connection ... Connection refused", "suspected to be dead" and "Mastership ... accepted" when the oldest
 * member leaves.
 */
class GracefulStopTest {
  /** Everything a node and the libraries under it log. */
  private static final List<String> LOGGERS = List.of("io.tandem", "io.vertx", "io.netty", "com.hazelcast");

  private static final Pattern MEMBER_LINE = Pattern.compile("\\[[^\\]]+\\]:\\d+ \\[([^\\]]+)\\] ");

  private final String name = "stop-" + Long.toHexString(System.nanoTime());
  private final List<ClusterConfig.NodeEntry> entries = List.of(entry("n1"), entry("n2"), entry("n3"));
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<LogCapture> logs = new ArrayList<>();
  private Vertx vertx;
  private List<FakeBackend> backends;

  @TempDir
  Path dir;

  private static ClusterConfig.NodeEntry entry(String id) {
    return new ClusterConfig.NodeEntry(id, "127.0.0.1", MemberPorts.free(), null, 0);
  }

  @BeforeEach
  void startBackends() {
    vertx = Vertx.vertx();
    backends = List.of(FakeBackend.start(vertx, "b1"), FakeBackend.start(vertx, "b2"));
  }

  @AfterEach
  void stopBackends() throws Exception {
    logs.forEach(LogCapture::close);
    backends.forEach(FakeBackend::close);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Nodes as in the demo: cluster-wide least connections, active health checks, a cluster-wide rate limit. */
  private List<TandemNode> startCluster() throws Exception {
    HealthConfig health = new HealthConfig(new HealthConfig.Active(HealthConfig.CheckType.TCP, null, null, null, 0,
        0, null, Duration.ofMillis(100), Duration.ofMillis(500), 1, 1), null);
    RateLimitConfig limit = new RateLimitConfig("limited", "/limited", null, null, RateLimitConfig.Key.SOURCE, null,
        1000, Duration.ofSeconds(1), 100, 1000);
    List<TandemNode> nodes = new ArrayList<>();
    for (ClusterConfig.NodeEntry e : entries) {
      TandemConfig base = TestConfigs.config(2, TestConfigs.listener("web").defaultPool("app").rateLimit(limit),
          TestConfigs.pool("app").algorithm(Algorithm.LEAST_CONNECTIONS).health(health)
              .backend("b1", backends.get(0).port()).backend("b2", backends.get(1).port()));
      ClusterConfig cluster = new ClusterConfig(name, e.id(), entries, Duration.ofSeconds(1), Duration.ofSeconds(4), 2,
          dir.resolve(e.id() + ".state.json"));
      nodes.add(TandemNode.start(new TandemConfig(null, base.node(), base.listeners(), base.pools(), base.accessLog(),
          cluster)).await(60, TimeUnit.SECONDS));
    }
    // Capture from here: while members join, Hazelcast may log a migration that it retries (a WARN with a stack
    // trace, "received before startup is completed"); that is start-up, not the stop under test.
    await().atMost(Duration.ofSeconds(60)).until(() -> Hazelcast.getAllHazelcastInstances().stream()
        .filter(hz -> hz.getConfig().getClusterName().equals(name))
        .allMatch(hz -> hz.getPartitionService().isClusterSafe()));
    logs.addAll(capture());
    return nodes;
  }

  /** Requests through every node, some under the rate limit's prefix, so counts and usage are published. */
  private void traffic(List<TandemNode> nodes) throws Exception {
    for (TandemNode node : nodes) {
      for (int i = 0; i < 20; i++) {
        String path = i % 2 == 0 ? "/limited/" + i : "/" + i;
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + node.port("web") + path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), "through " + node.config().nodeId() + ": " + r.body());
      }
    }
  }

  /**
   * ERROR events, events with a throwable, and Vert.x's blocked-thread warnings: none is allowed. A Hazelcast member
   * names its cluster in every line ({@code [host]:port [cluster] [version]}): a line about another cluster (a member
   * an earlier test class left stopping in this JVM) is not this test's. One Hazelcast WARN is known and let through:
   * see {@link #isHazelcastShutdownDoubleCompletion}.
   */
  static List<LogCapture.Event> alarming(List<LogCapture> logs, String cluster) {
    return logs.stream().flatMap(l -> l.events().stream())
        .filter(e -> e.level().isMoreSpecificThan(Level.ERROR) || e.thrown() != null
            || e.message().contains("has been blocked for"))
        .filter(e -> !isHazelcastShutdownDoubleCompletion(e))
        .filter(e -> {
          Matcher m = MEMBER_LINE.matcher(e.message());
          return !m.lookingAt() || m.group(1).equals(cluster);
        })
        .toList();
  }

  /**
   * Hazelcast's "Future.complete(Object) on completed future" WARN (with a stack trace of its own making), when the
   * value offered second is this member's HazelcastInstanceNotActiveException. It is an open Hazelcast defect
   * (hazelcast/hazelcast#19164, "on the attempt to shut down HZ instance", 30% of attempts there): an invocation's
   * response completes its future and runs its callbacks before the invocation leaves the registry, so a shutdown that
   * those callbacks let go on (here the commit of the last migration off a stopping master) finds it still registered
   * and completes it again. Nothing is lost: the first completion stands. CI saw it once in GracefulStopTest. Any
   * other WARN with a throwable, and this one with any other value, still fails the test.
   */
  static boolean isHazelcastShutdownDoubleCompletion(LogCapture.Event e) {
    return e.level().equals(Level.WARN)
        && e.logger().equals("com.hazelcast.spi.impl.operationservice.impl.Invocation")
        && e.message().contains("Future.complete(Object) on completed future.")
        && e.message().contains("offered value: ExceptionalResult{cause=com.hazelcast.core."
            + "HazelcastInstanceNotActiveException: Hazelcast instance is not active!}");
  }

  /** Captures, at WARN and above, what a node and the libraries under it log (close each when done). */
  static List<LogCapture> capture() {
    return LOGGERS.stream().map(logger -> LogCapture.of(logger, Level.WARN)).toList();
  }

  private List<LogCapture.Event> alarming() {
    return alarming(logs, name);
  }

  @Test
  void nodesStoppedOneAfterAnotherLogNoErrorNoStackTraceAndBlockNoEventLoop() throws Exception {
    List<TandemNode> nodes = startCluster();
    traffic(nodes);
    for (TandemNode node : nodes) {
      node.shutdown(Duration.ofMillis(200)).await(30, TimeUnit.SECONDS);
    }
    assertEquals(List.of(), alarming());
  }

  @Test
  void aWholeClusterStoppedAtOnceLogsNoErrorNoStackTraceAndBlocksNoEventLoop() throws Exception {
    List<TandemNode> nodes = startCluster();
    traffic(nodes);
    Future.all(nodes.stream().map(n -> n.shutdown(Duration.ofMillis(200))).toList()).await(60, TimeUnit.SECONDS);
    assertEquals(List.of(), alarming());
  }

  @Test
  void aCrashedNodeLogsNoErrorEitherAndTheOthersStillStopQuietly() throws Exception {
    List<TandemNode> nodes = startCluster();
    traffic(nodes);
    nodes.get(2).crash().await(30, TimeUnit.SECONDS);
    traffic(nodes.subList(0, 2));
    for (TandemNode node : nodes.subList(0, 2)) {
      node.shutdown(Duration.ofMillis(200)).await(30, TimeUnit.SECONDS);
    }
    assertEquals(List.of(), alarming());
  }

  @Test
  void onlyHazelcastsKnownShutdownDoubleCompletionIsLetThrough() {
    String invocation = "com.hazelcast.spi.impl.operationservice.impl.Invocation";
    String known = "[127.0.0.1]:5701 [" + name + "] [5.7.0] Future.complete(Object) on completed future. Request: "
        + "Invocation{op=MigrationCommitOperation}, current value: Packet{}, offered value: ExceptionalResult{cause="
        + "com.hazelcast.core.HazelcastInstanceNotActiveException: Hazelcast instance is not active!}";
    Exception trace = new Exception("Future.complete(Object) on completed future.");
    LogCapture.Event letThrough = new LogCapture.Event(Level.WARN, invocation, known, trace);
    List<LogCapture.Event> alarming = List.of(
        new LogCapture.Event(Level.ERROR, invocation, known, trace),
        new LogCapture.Event(Level.WARN, "com.hazelcast.internal.partition.impl.MigrationManager", known, trace),
        new LogCapture.Event(Level.WARN, invocation, known.replace("HazelcastInstanceNotActiveException",
            "OperationTimeoutException"), trace));
    assertTrue(isHazelcastShutdownDoubleCompletion(letThrough));
    alarming.forEach(e -> assertFalse(isHazelcastShutdownDoubleCompletion(e), e::toString));
  }
}
