package io.tandem.discovery;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.bootstrap.TandemNode;
import io.tandem.cluster.AdminState;
import io.tandem.cluster.DiscoveredSet;
import io.tandem.config.ConfigLoader;
import io.tandem.testing.AdminClient;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.FakeDns;
import io.tandem.testing.MemberPorts;
import io.tandem.upstream.Backend;
import io.tandem.upstream.PoolSnapshot;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real nodes in one JVM (a Hazelcast cluster) whose pools come from a DNS server on loopback: the records change
 * and every node applies the same backends at the same version; the resolving node dies and another takes over.
 */
class DiscoveryClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOKEN = "discovery-test-token-0123456789";
  private static final String WEB = "web.tandem.test";
  private static final String API = "_http._tcp.api.tandem.test";
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<FakeBackend> backends = new ArrayList<>();
  private final List<TandemNode> nodes = new ArrayList<>();
  private FakeDns dns;
  private int webPort;

  @TempDir
  Path dir;

  @BeforeEach
  void start() throws Exception {
    dns = new FakeDns();
    // Pods of one service: several addresses, one port (127.0.0.2..4 are loopback too).
    for (int attempt = 0; backends.isEmpty(); attempt++) {
      webPort = FakeBackend.refusingPort();
      try {
        for (int i = 2; i <= 4; i++) {
          backends.add(FakeBackend.startAt(vertx, "w" + i, "127.0.0." + i, webPort));
        }
      } catch (RuntimeException e) {
        backends.forEach(FakeBackend::close);
        backends.clear();
        if (attempt == 5) {
          throw e;
        }
      }
    }
    backends.add(FakeBackend.start(vertx, "a1"));
    backends.add(FakeBackend.start(vertx, "a2"));
    dns.a(WEB, 1, "127.0.0.2", "127.0.0.3");
    dns.a("a1.tandem.test", 1, "127.0.0.1").a("a2.tandem.test", 1, "127.0.0.1");
    dns.srv(API, 1, new FakeDns.Srv(0, 10, backend("a1").port(), "a1.tandem.test"),
        new FakeDns.Srv(0, 10, backend("a2").port(), "a2.tandem.test"));
    String yaml = yaml();
    for (String id : List.of("n1", "n2", "n3")) {
      Path file = dir.resolve("tandem.yaml");
      java.nio.file.Files.writeString(file, yaml);
      nodes.add(TandemNode.start(ConfigLoader.load(file, id)).await(60, TimeUnit.SECONDS));
    }
  }

  private String yaml() {
    StringBuilder members = new StringBuilder();
    for (String id : List.of("n1", "n2", "n3")) {
      members.append("  - {id: ").append(id).append(", cluster: 127.0.0.1:").append(MemberPorts.free())
          .append(", admin: 127.0.0.1:").append(MemberPorts.free()).append("}\n");
    }
    return """
        cluster:
          name: discovery-%d
          heartbeat: 1s
          failure-timeout: 4s
          state-file: %s/{node}.state.json
        nodes:
        %s
        admin:
          token: %s
        node:
          drain-timeout: 1s
        access-log: {enabled: false}
        dns:
          resolvers: [%s]
          timeout: 300ms
          min-interval: 200ms
          max-interval: 500ms
          drain-grace: 2s
        listeners:
          - name: web
            bind: 127.0.0.1:0
            default-pool: web
        pools:
          - name: web
            slow-start: 1m
            discover:
              - {name: %s, port: %d}
          - name: api
            discover:
              - {srv: %s}
        """.formatted(System.nanoTime(), dir, members.toString().stripTrailing(), TOKEN,
        "127.0.0.1:" + dns.address().getPort(), WEB, webPort, API);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).shutdown(Duration.ZERO).await(30, TimeUnit.SECONDS);
    }
    backends.forEach(FakeBackend::close);
    dns.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private FakeBackend backend(String name) {
    return backends.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
  }

  private String web(int i) {
    return "127.0.0." + i + ":" + webPort;
  }

  /** The pool's backends on a node, id to admin state. */
  private static Map<String, AdminState> backendsOf(TandemNode node, String pool) {
    Map<String, AdminState> states = new TreeMap<>();
    PoolSnapshot p = node.registry().snapshot().pool(pool);
    p.backends().forEach(b -> states.put(b.id(), b.adminState()));
    return states;
  }

  /** Waits until every node holds {@code expected} in {@code pool}; answers the runtime version it came with. */
  private long awaitEverywhere(List<TandemNode> on, String pool, Map<String, AdminState> expected) {
    await().atMost(WAIT).until(() -> on.stream().allMatch(n -> backendsOf(n, pool).equals(expected)));
    // The same set came with the same published version on every node.
    Set<Long> versions = new HashSet<>();
    for (TandemNode n : on) {
      Discovery.Status s = n.discovery().status().stream().filter(st -> st.pool().equals(pool)).findFirst()
          .orElseThrow();
      versions.add(s.version());
    }
    assertEquals(1, versions.size(), "one version everywhere: " + versions);
    return versions.iterator().next();
  }

  private String get(TandemNode node) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port("web") + "/"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.headers().firstValue("x-backend").orElseThrow();
  }

  private TandemNode resolverOf(String pool) {
    return nodes.stream().filter(n -> n.discovery().status().stream()
        .anyMatch(s -> s.pool().equals(pool) && s.resolving())).findFirst().orElseThrow();
  }

  @Test
  void recordsThatChangeAddDrainAndReweightBackendsOnEveryNodeAtOnce() throws Exception {
    long first = awaitEverywhere(nodes, "web", Map.of(web(2), AdminState.ENABLED, web(3), AdminState.ENABLED));
    assertTrue(first > 0);
    assertEquals(1, nodes.stream().filter(n -> n.discovery().status().get(0).resolving()).count(),
        "one node resolves each entry");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      seen.add(get(nodes.get(i % 3)));
    }
    assertEquals(Set.of("w2", "w3"), seen, "every node routes to the discovered backends");
    Backend b = nodes.get(1).registry().snapshot().pool("web").byId().get(web(2));
    assertEquals(Backend.Source.DISCOVERED, b.source());

    // Added: on every node, starting slowly (slow-start), as an added backend does.
    dns.a(WEB, 1, "127.0.0.2", "127.0.0.3", "127.0.0.4");
    long added = awaitEverywhere(nodes, "web", Map.of(web(2), AdminState.ENABLED, web(3), AdminState.ENABLED,
        web(4), AdminState.ENABLED));
    assertTrue(added > first);
    for (TandemNode n : nodes) {
      assertTrue(n.poolGuards().get("web").share(web(4), n.poolGuards().clock().nanoTime()) < 1, "warming on every node");
    }

    // Removed: draining first (sessions stay, no new ones), gone after the 2 s grace.
    dns.a(WEB, 1, "127.0.0.3", "127.0.0.4");
    awaitEverywhere(nodes, "web", Map.of(web(2), AdminState.DRAINING, web(3), AdminState.ENABLED,
        web(4), AdminState.ENABLED));
    backend("w2").clearReceived();
    for (int i = 0; i < 6; i++) {
      assertNotEquals("w2", get(nodes.get(i % 3)), "a leaving backend takes no new requests");
    }
    awaitEverywhere(nodes, "web", Map.of(web(3), AdminState.ENABLED, web(4), AdminState.ENABLED));

    // SRV: re-weighted, and priorities (the lower one takes new sessions; the other is a backup).
    awaitEverywhere(nodes, "api", Map.of("127.0.0.1:" + backend("a1").port(), AdminState.ENABLED,
        "127.0.0.1:" + backend("a2").port(), AdminState.ENABLED));
    dns.srv(API, 1, new FakeDns.Srv(0, 30, backend("a1").port(), "a1.tandem.test"),
        new FakeDns.Srv(1, 10, backend("a2").port(), "a2.tandem.test"));
    String a1 = "127.0.0.1:" + backend("a1").port();
    String a2 = "127.0.0.1:" + backend("a2").port();
    await().atMost(WAIT).until(() -> nodes.stream().allMatch(n -> n.registry().snapshot().pool("api").byId().get(a1)
        .weight() == 30));
    for (TandemNode n : nodes) {
      PoolSnapshot api = n.registry().snapshot().pool("api");
      assertEquals(List.of(a1), api.balancer().backends().stream().map(Backend::id).toList(),
          "priority 0 takes every new session while it is eligible; priority 1 is a backup");
      assertEquals(10, api.byId().get(a2).weight());
    }

    // The admin API of any node shows the entries, with the resolving node's timing.
    TandemNode any = nodes.get(2);
    JsonObject answer = new AdminClient(any.adminPort(), TOKEN).get("/api/v1/discovery").json();
    JsonObject webEntry = answer.getJsonArray("entries").getJsonObject(0);
    assertEquals("web", webEntry.getString("pool"));
    assertEquals("ok", webEntry.getString("status"));
    assertEquals(2, webEntry.getJsonArray("backends").size());
    assertEquals(resolverOf("web").config().nodeId(), webEntry.getString("resolver"));
    assertTrue(webEntry.getString("lastSuccess") != null, webEntry.encode());
  }

  @Test
  void whenTheResolvingNodeDiesAnotherTakesOverFromTheLastPublishedSetAndFailuresKeepIt() throws Exception {
    awaitEverywhere(nodes, "web", Map.of(web(2), AdminState.ENABLED, web(3), AdminState.ENABLED));
    TandemNode owner = resolverOf("web");
    String ownerId = owner.config().nodeId();
    owner.crash().await(30, TimeUnit.SECONDS);
    nodes.remove(owner);

    await().atMost(WAIT).until(() -> nodes.stream().anyMatch(n -> n.discovery().status().get(0).resolving()));
    TandemNode next = resolverOf("web");
    assertNotEquals(ownerId, next.config().nodeId());
    dns.a(WEB, 1, "127.0.0.2", "127.0.0.3", "127.0.0.4");
    awaitEverywhere(nodes, "web", Map.of(web(2), AdminState.ENABLED, web(3), AdminState.ENABLED,
        web(4), AdminState.ENABLED));
    DiscoveredSet set = nodes.get(0).discovery().status().get(0).published();
    assertEquals(next.config().nodeId(), set.resolver(), "published by the new owner");

    // The name fails: every node keeps the set, and says it is stale.
    dns.fail(WEB, FakeDns.Fault.SERVFAIL);
    await().atMost(WAIT).until(() -> nodes.stream().allMatch(n -> {
      DiscoveredSet s = n.discovery().status().get(0).published();
      return s.status() == DiscoveredSet.Status.FAILED;
    }));
    for (TandemNode n : nodes) {
      assertEquals(3, n.registry().snapshot().pool("web").backends().size());
      assertTrue(n.discovery().status().get(0).published().error().contains("SERVFAIL"));
    }
    String metrics = new AdminClient(next.adminPort(), TOKEN).get("/metrics").text();
    assertTrue(metrics.contains("tandem_discovery_stale{name=\"" + WEB + ":" + webPort + "\",pool=\"web\"} 1.0"),
        metrics.lines().filter(l -> l.startsWith("tandem_discovery")).toList().toString());
    assertTrue(metrics.contains("tandem_discovery_backends{name=\"" + WEB + ":" + webPort
        + "\",pool=\"web\",state=\"active\"} 3.0"));
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("tandem_discovery_resolutions_total{name=\"" + WEB)
        && l.contains("result=\"failed\"") && !l.endsWith(" 0.0")), "failed resolutions counted on the resolver");

    // The admin API refuses to remove a discovered backend: DNS would bring it back.
    AdminClient.Answer refused = new AdminClient(next.adminPort(), TOKEN).delete("/api/v1/pools/web/backends/"
        + web(4));
    assertEquals(409, refused.status(), refused.text());
  }
}
