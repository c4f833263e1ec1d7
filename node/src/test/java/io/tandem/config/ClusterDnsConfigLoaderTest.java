package io.tandem.config;

import static io.tandem.config.ConfigTexts.LISTENER;
import static io.tandem.config.ConfigTexts.POOL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** {@code cluster.discovery: dns}: what a member gets, and every message about it. */
class ClusterDnsConfigLoaderTest {
  private static final UnaryOperator<String> ENV = Map.of("POD_IP", "10.1.2.3")::get;
  private static final String DNS = """
      cluster:
        name: tandem
        discovery: dns
        members: tandem-members.tandem.svc.cluster.local
        address: ${POD_IP}
      """;

  private static TandemConfig parses(String yaml, String nodeId) {
    try {
      return ConfigLoader.parse(yaml, "test.yaml", nodeId, ENV);
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private static List<String> errors(String yaml, String nodeId) {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(yaml, "test.yaml", nodeId, ENV));
    return e.errors().stream()
        .map(error -> error.path().isEmpty() ? error.message() : error.path() + ": " + error.message())
        .toList();
  }

  @Test
  void aMemberGetsItsOwnEntryTheNameAndTheDefaults() {
    TandemConfig config = parses(LISTENER + POOL + DNS, "tandem-0");

    ClusterConfig cluster = config.cluster();
    assertTrue(cluster.discoversMembers());
    assertEquals(new ClusterConfig.MemberDiscovery("tandem-members.tandem.svc.cluster.local", 5701),
        cluster.members());
    assertEquals(List.of(new ClusterConfig.NodeEntry("tandem-0", "10.1.2.3", 5701, null, 0)), cluster.nodes());
    assertEquals("tandem-0", config.nodeId());
    assertEquals(1, cluster.minMembers());
    assertEquals(Duration.ofSeconds(1), cluster.heartbeat());
    assertEquals(Path.of("./tandem-tandem-0.state.json"), cluster.stateFile());
  }

  @Test
  void portMinMembersAndTheAdminListenerAreTaken() {
    TandemConfig config = parses(LISTENER + POOL + DNS + """
          port: 5801
          min-members: 2
        admin:
          listen: 0.0.0.0:9090
        """, "tandem-1");

    ClusterConfig cluster = config.cluster();
    assertEquals(5801, cluster.members().port());
    assertEquals(2, cluster.minMembers());
    assertEquals(new ClusterConfig.NodeEntry("tandem-1", "10.1.2.3", 5801, "0.0.0.0", 9090), cluster.self());
    assertEquals("0.0.0.0", config.admin().host());
    assertEquals(9090, config.admin().port());
  }

  @Test
  void anIpv6AddressAndALiteralAddressAreTaken() {
    assertEquals("fd00::5", parses(LISTENER + POOL + DNS.replace("${POD_IP}", "\"[fd00::5]\""), "a")
        .cluster().self().clusterHost());
    assertEquals("10.9.9.9", parses(LISTENER + POOL + DNS.replace("${POD_IP}", "10.9.9.9"), "a")
        .cluster().self().clusterHost());
  }

  @Test
  void theNodesFormIsUnchangedAndDiscoversNothing() {
    TandemConfig config = parses(LISTENER + POOL + """
        cluster: {name: t, discovery: nodes}
        nodes: [{id: a, cluster: 127.0.0.1:5701}]
        """, "a");
    assertFalse(config.cluster().discoversMembers());
    assertNull(config.cluster().members());
  }

  @Test
  void nodesWithDnsDiscoveryIsAnError() {
    assertEquals(List.of("nodes: cannot be combined with cluster.discovery: dns (the members come from DNS); "
        + "remove one"), errors(LISTENER + POOL + DNS + "nodes: [{id: a, cluster: 127.0.0.1:5701}]\n", "a"));
  }

  @Test
  void vipsWithDnsDiscoveryAreAnError() {
    List<String> errors = errors(LISTENER + POOL + DNS + """
        vips:
          - {address: 10.0.0.100/24, interface: eth0}
        """, "a");
    assertTrue(errors.contains("vips: need the fixed nodes: list (each node must know every other); they are not "
        + "available with cluster.discovery: dns"), errors.toString());
  }

  @Test
  void dnsDiscoveryNeedsTheNodeId() {
    assertEquals(List.of("cluster.discovery: dns needs --node ID, this member's own id (unique in the cluster, e.g. "
        + "the pod name)"), errors(LISTENER + POOL + DNS, null));
  }

  @Test
  void aMissingVariableIsNamed() {
    assertEquals(List.of("cluster.address: environment variable MY_IP is not set"),
        errors(LISTENER + POOL + DNS.replace("POD_IP", "MY_IP"), "a"));
  }

  @Test
  void membersAndAddressAreRequired() {
    assertEquals(List.of("cluster.members: is required", "cluster.address: is required"),
        errors(LISTENER + POOL + "cluster: {name: t, discovery: dns}\n", "a"));
  }

  @Test
  void badValuesAreNamed() {
    assertEquals(List.of(
        "cluster.discovery: must be one of: nodes, dns; got \"dsn\""),
        errors(LISTENER + POOL + DNS.replace("discovery: dns", "discovery: dsn"), "a"));
    assertEquals(List.of("cluster.members: must be a DNS name such as tandem-members.tandem.svc.cluster.local, got "
        + "\"http://x:80\""), errors(LISTENER + POOL + DNS.replace("tandem-members.tandem.svc.cluster.local",
        "\"http://x:80\""), "a"));
    assertEquals(List.of("cluster.address: must be this member's IP address (such as ${POD_IP}), got \"pod-0\""),
        errors(LISTENER + POOL + DNS.replace("${POD_IP}", "pod-0"), "a"));
    assertEquals(List.of("cluster.address: must be an address the other members can connect to, not the wildcard "
        + "0.0.0.0"), errors(LISTENER + POOL + DNS.replace("${POD_IP}", "0.0.0.0"), "a"));
    assertEquals(List.of("cluster.port: must be between 1 and 65535, got 0"),
        errors(LISTENER + POOL + DNS + "  port: 0\n", "a"));
    assertEquals(List.of("cluster.min-members: must be at least 1, got 0"),
        errors(LISTENER + POOL + DNS + "  min-members: 0\n", "a"));
  }

  @Test
  void dnsKeysWithoutDnsDiscoveryAreErrors() {
    assertEquals(List.of(
        "cluster.members: is only read with discovery: dns (the nodes: list gives each member's address)",
        "cluster.address: is only read with discovery: dns (the nodes: list gives each member's address)"),
        errors(LISTENER + POOL + """
            cluster: {name: t, members: x.example, address: 10.0.0.1}
            nodes: [{id: a, cluster: 127.0.0.1:5701}]
            """, "a"));
  }

  @Test
  void theMemberAddressMustNotMeetAListener() {
    List<String> errors = errors(LISTENER.replace("127.0.0.1:8080", "10.1.2.3:5701") + POOL + DNS, "a");
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(errors.get(0).contains("cluster.address"), errors.toString());
  }

  @Test
  void variablesAreSubstitutedAndBadOnesNamed() {
    assertEquals("10.1.2.3:x", ClusterReader.substitute("${POD_IP}:x", ENV));
    assertEquals("environment variable EMPTY is empty", assertThrows(IllegalArgumentException.class,
        () -> ClusterReader.substitute("${EMPTY}", Map.of("EMPTY", "")::get)).getMessage());
    assertEquals("\"${1x}\" is not an environment variable name", assertThrows(IllegalArgumentException.class,
        () -> ClusterReader.substitute("${1x}", ENV)).getMessage());
    assertEquals("has an unclosed ${ in \"${POD_IP\"", assertThrows(IllegalArgumentException.class,
        () -> ClusterReader.substitute("${POD_IP", ENV)).getMessage());
  }
}
