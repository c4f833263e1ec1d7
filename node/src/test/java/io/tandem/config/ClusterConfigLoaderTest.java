package io.tandem.config;

import static io.tandem.config.ConfigTexts.LISTENER;
import static io.tandem.config.ConfigTexts.POOL;
import static io.tandem.config.ConfigTexts.errors;
import static io.tandem.config.ConfigTexts.parses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code cluster} and {@code nodes} sections: what a node gets, and every message about them. */
class ClusterConfigLoaderTest {
  private static final String NODES = """
      nodes:
        - {id: n1, cluster: 127.0.0.1:5701, admin: 127.0.0.1:19091, listeners: {web: 127.0.0.1:18081}}
        - {id: n2, cluster: 127.0.0.1:5702, admin: "[::1]:19092", listeners: {web: 127.0.0.1:18082}}
        - {id: n3, cluster: 127.0.0.1:5703}
      """;
  private static final String CLUSTER = "cluster: {name: tandem-test}\n";

  /** One listener "web", one pool, the cluster name and {@code nodes}. */
  private static String cluster(String nodes) {
    return LISTENER + POOL + CLUSTER + nodes;
  }

  @Test
  void theChosenNodeGetsTheClusterAndItsOwnListenerAddresses() {
    TandemConfig config = parses(LISTENER + POOL + """
        cluster:
          name: tandem-test
          heartbeat: 2s
          failure-timeout: 1m
          min-members: 3
          state-file: /var/lib/tandem/{node}.state.json
        """ + NODES, "n2");

    assertEquals(new ClusterConfig("tandem-test", "n2", List.of(
        new ClusterConfig.NodeEntry("n1", "127.0.0.1", 5701, "127.0.0.1", 19091),
        new ClusterConfig.NodeEntry("n2", "127.0.0.1", 5702, "::1", 19092),
        new ClusterConfig.NodeEntry("n3", "127.0.0.1", 5703, null, 0)),
        Duration.ofSeconds(2), Duration.ofMinutes(1), 3, Path.of("/var/lib/tandem/n2.state.json")), config.cluster());
    assertEquals("n2", config.nodeId());
    ListenerConfig web = config.listeners().get(0);
    assertEquals(List.of("127.0.0.1", 18082), List.of(web.host(), web.port()));
    assertEquals(ConfigTexts.parses(LISTENER + POOL).listeners().get(0).routes(), web.routes());
  }

  @Test
  void aNodeWithoutOverridesKeepsTheListenersBindAndSettingsTakeTheirDefaults() {
    TandemConfig config = parses(cluster(NODES), "n3");

    ClusterConfig cluster = config.cluster();
    assertEquals(Duration.ofSeconds(1), cluster.heartbeat());
    assertEquals(Duration.ofSeconds(5), cluster.failureTimeout());
    assertEquals(2, cluster.minMembers());
    assertEquals(Path.of("./tandem-n3.state.json"), cluster.stateFile());
    assertEquals(new ClusterConfig.NodeEntry("n3", "127.0.0.1", 5703, null, 0), cluster.self());
    assertEquals(ConfigTexts.parses(LISTENER + POOL).listeners(), config.listeners());
  }

  @Test
  void minMembersDefaultsToAMajority() {
    assertEquals(1, parses(cluster("nodes: [{id: a, cluster: h:1}]"), "a").cluster().minMembers());
    assertEquals(2, parses(cluster("nodes: [{id: a, cluster: h:1}, {id: b, cluster: h:2}]"), "a").cluster()
        .minMembers());
    assertEquals(3, parses(cluster("""
        nodes: [{id: a, cluster: h:1}, {id: b, cluster: h:2}, {id: c, cluster: h:3}, {id: d, cluster: h:4}]
        """), "a").cluster().minMembers());
  }

  @Test
  void aStandaloneFileHasNoCluster() {
    TandemConfig config = parses(LISTENER + POOL);
    assertNull(config.cluster());
    assertEquals("local", config.nodeId());
  }

  @Test
  void theNodeMustBeChosenAndKnown() {
    assertEquals(List.of("nodes: this file defines nodes n1, n2, n3; choose one with --node"),
        errors(cluster(NODES)));
    assertEquals(List.of("nodes: --node n4 is not defined; this file defines nodes n1, n2, n3"),
        errors(cluster(NODES), "n4"));
    assertEquals(List.of("--node n1 given but the file defines no nodes"), errors(LISTENER + POOL, "n1"));
  }

  @Test
  void clusterAndNodesGoTogether() {
    assertEquals(List.of("cluster: needs a nodes: section (or discovery: dns)"), errors(LISTENER + POOL + CLUSTER));
    assertEquals(List.of("cluster.name: is required"), errors(LISTENER + POOL + NODES, "n1"));
    assertEquals(List.of("nodes: at least one node is required"), errors(cluster("nodes: []"), "n1"));
    assertEquals(List.of("nodes: must be a list, got \"n1\"", "nodes: at least one node is required"),
        errors(cluster("nodes: n1"), "n1"));
  }

  @Test
  void unknownKeys() {
    assertEquals(List.of("cluster: unknown key \"heartbeat-interval\"; expected one of: name, heartbeat,"
        + " failure-timeout, min-members, state-file, quic-relay-port, discovery, members, port, address"),
        errors(LISTENER + POOL + "cluster: {name: t, heartbeat-interval: 1s}\n" + NODES, "n1"));
    assertEquals(List.of("nodes[0]: unknown key \"address\"; expected one of: id, cluster, admin, listeners"),
        errors(cluster("nodes: [{id: n1, cluster: h:1, address: h:2}]"), "n1"));
  }

  @Test
  void nodeIdsAndClusterAddressesAreRequiredAndUnique() {
    assertEquals(List.of("nodes[0].id: is required", "nodes[1].id: must not be empty"),
        errors(cluster("nodes: [{cluster: h:1}, {id: \"\", cluster: h:2}, {id: n3, cluster: h:3}]"), "n3"));
    assertEquals(List.of("nodes[1].id: duplicate node id \"n1\", also used by nodes[0]"),
        errors(cluster("nodes: [{id: n1, cluster: h:1}, {id: n1, cluster: h:2}]"), "n1"));
    assertEquals(List.of("nodes[0].cluster: is required"), errors(cluster("nodes: [{id: n1}, {id: n2, cluster: h:2}]"),
        "n2"));
    assertEquals(List.of("nodes[2].cluster: duplicate cluster address 127.0.0.1:5701, also used by nodes[0]"),
        errors(cluster(NODES.replace("5703", "5701")), "n1"));
  }

  @Test
  void addresses() {
    assertEquals(List.of("nodes[0].cluster: must be an address the other nodes can connect to, not the wildcard"
        + " 0.0.0.0"), errors(cluster("nodes: [{id: n1, cluster: 0.0.0.0:5701}]"), "n1"));
    assertEquals(List.of("nodes[0].cluster: port must be between 1 and 65535, got 0"),
        errors(cluster("nodes: [{id: n1, cluster: h:0}]"), "n1"));
    assertEquals(List.of("nodes[0].admin: must be host:port (IPv6 as [::1]:8080), got 19091"),
        errors(cluster("nodes: [{id: n1, cluster: h:1, admin: 19091}]"), "n1"));
    assertEquals(List.of("nodes[0].listeners.web: must be host:port (IPv6 as [::1]:8080), got \"localhost\""),
        errors(cluster("nodes: [{id: n1, cluster: h:1, listeners: {web: localhost}}]"), "n1"));
    assertEquals(List.of("nodes[0].listeners: must be a mapping, got a list"),
        errors(cluster("nodes: [{id: n1, cluster: h:1, listeners: [web]}]"), "n1"));
  }

  @Test
  void listenerOverridesMustNameListenersEvenOnOtherNodes() {
    assertEquals(List.of("nodes[2].listeners.webb: unknown listener \"webb\"; defined listeners: web"),
        errors(cluster(NODES.replace("{id: n3, cluster: 127.0.0.1:5703}",
            "{id: n3, cluster: 127.0.0.1:5703, listeners: {webb: 127.0.0.1:18083}}")), "n1"));
  }

  @Test
  void theChosenNodesAddressesMustNotConflict() {
    String twoListeners = """
        listeners:
          - {name: web, bind: 127.0.0.1:8080}
          - {name: api, bind: 127.0.0.1:8081}
        """ + POOL + CLUSTER;
    String nodes = """
        nodes:
          - {id: n1, cluster: 127.0.0.1:8080, admin: 127.0.0.1:8081, listeners: {web: 127.0.0.1:9090}}
          - {id: n2, cluster: 127.0.0.1:5702, listeners: {api: 0.0.0.0:8080}}
          - {id: n3, cluster: 127.0.0.1:5703, admin: 127.0.0.1:5703}
        """;
    assertEquals(List.of("nodes[0].admin: 127.0.0.1:8081 conflicts with listener \"api\" bound to 127.0.0.1:8081"),
        errors(twoListeners + nodes, "n1"));
    assertEquals(List.of("nodes[1].listeners.api: 0.0.0.0:8080 conflicts with listener \"web\" bound to"
        + " 127.0.0.1:8080"), errors(twoListeners + nodes, "n2"));
    assertEquals(List.of("nodes[2].admin: 127.0.0.1:5703 conflicts with the cluster address of node n3 bound to"
        + " 127.0.0.1:5703"), errors(twoListeners + nodes, "n3"));
    assertEquals(List.of("nodes[0].cluster: 127.0.0.1:8080 conflicts with listener \"web\" bound to 127.0.0.1:8080"),
        errors(twoListeners + "nodes: [{id: n1, cluster: 127.0.0.1:8080}]", "n1"));
  }

  @Test
  void timing() {
    String nodes = "\nnodes: [{id: n1, cluster: h:1}, {id: n2, cluster: h:2}, {id: n3, cluster: h:3}]\n";
    assertEquals(List.of("cluster.heartbeat: must be whole seconds (Hazelcast counts in seconds), got \"1500ms\""),
        errors(LISTENER + POOL + "cluster: {name: t, heartbeat: 1500ms}" + nodes, "n1"));
    assertEquals(List.of("cluster.failure-timeout: must be longer than heartbeat (2s), got 2s"),
        errors(LISTENER + POOL + "cluster: {name: t, heartbeat: 2s, failure-timeout: 2s}" + nodes, "n1"));
    assertEquals(List.of("cluster.failure-timeout: must be longer than heartbeat (1s), got 1s"),
        errors(LISTENER + POOL + "cluster: {name: t, failure-timeout: 1s}" + nodes, "n1"));
    assertEquals(List.of("cluster.min-members: must be between 1 and 3, got 4"),
        errors(LISTENER + POOL + "cluster: {name: t, min-members: 4}" + nodes, "n1"));
    assertEquals(List.of("cluster.state-file: is not a valid path: Nul character not allowed, got \"a\0b\""),
        errors(LISTENER + POOL + "cluster: {name: t, state-file: \"a\\0b\"}" + nodes, "n1"));
  }

  @Test
  void allProblemsAreReportedTogether() {
    assertEquals(List.of("cluster.heartbeat: must be a duration like 500ms, 2s, 1m30s or 1h, got 1"
            + " (a bare number; add a unit)", "nodes[1].id: duplicate node id \"n1\", also used by nodes[0]",
            "nodes: this file defines nodes n1; choose one with --node"),
        errors(LISTENER + POOL + "cluster: {name: t, heartbeat: 1}\n"
            + "nodes: [{id: n1, cluster: h:1}, {id: n1, cluster: h:2}]\n"));
  }

  @Test
  void loadsAFileForANodeAndListsItsNodes(@TempDir Path dir) throws IOException, ConfigException {
    Path file = Files.writeString(dir.resolve("cluster.yaml"), cluster(NODES));

    assertEquals("n1", ConfigLoader.load(file, "n1").cluster().nodeId());
    assertEquals(file, ConfigLoader.load(file, "n1").source());
    assertEquals(List.of("n1", "n2", "n3"), ConfigLoader.nodeIds(file));
    assertEquals(List.of(), ConfigLoader.nodeIds(Files.writeString(dir.resolve("one.yaml"), LISTENER + POOL)));
    assertEquals(List.of(), ConfigLoader.nodeIds(Files.writeString(dir.resolve("bad.yaml"), "nodes: [")));
    assertEquals(List.of(), ConfigLoader.nodeIds(dir.resolve("missing.yaml")));
  }

  @Test
  void learnedCookieIsReadWithOrWithoutAnInsertedCookie() {
    assertEquals("JSESSIONID", learnCookie("{type: cookie, learn-cookie: JSESSIONID}"));
    assertEquals("JSESSIONID", learnCookie("{learn-cookie: JSESSIONID}"));
    assertNull(learnCookie("{type: cookie}"));
    assertEquals(PersistenceConfig.Type.COOKIE,
        parses(ConfigTexts.pool("persistence: {type: cookie, learn-cookie: JSESSIONID}")).pools().get(0)
            .persistence().type());
  }

  @Test
  void learnedCookieMessages() {
    assertEquals(List.of("pools[0].persistence.learn-cookie: applies only to type: cookie or none"),
        errors(ConfigTexts.pool("persistence: {type: source-address, learn-cookie: JSESSIONID}")));
    assertEquals(List.of("pools[0].persistence.learn-cookie: must differ from cookie.name (TANDEM_SERVER), the"
        + " cookie Tandem inserts"), errors(ConfigTexts.pool("persistence: {type: cookie, learn-cookie: TANDEM_SERVER}")));
    assertEquals(List.of("pools[0].persistence.learn-cookie: must be a cookie name (RFC 6265 token: no spaces or"
        + " ()<>@,;:\\\"/[]?={}), got \"a b\""), errors(ConfigTexts.pool("persistence: {learn-cookie: a b}")));
  }

  private static String learnCookie(String persistence) {
    Problems problems = new Problems("test.yaml");
    var node = ConfigTexts.tree("persistence: " + persistence).get("persistence");
    PersistenceConfig read = PersistenceReader.read(YamlMap.open(node, "persistence", problems, "type", "cookie",
        "idle-timeout", "learn-cookie"));
    assertEquals(true, problems.isEmpty());
    return read.learnCookie();
  }

  @Test
  void learnedCookieBindingsExpireAfterTheIdleTimeout() {
    assertEquals(java.time.Duration.ofMinutes(30), parses(ConfigTexts.pool("persistence: {learn-cookie: JSESSIONID}"))
        .pools().get(0).persistence().idleTimeout());
    assertEquals(java.time.Duration.ofMinutes(5), parses(ConfigTexts.pool(
        "persistence: {learn-cookie: JSESSIONID, idle-timeout: 5m}")).pools().get(0).persistence().idleTimeout());
  }
}
