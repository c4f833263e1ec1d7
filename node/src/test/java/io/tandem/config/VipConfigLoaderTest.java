package io.tandem.config;

import static io.tandem.config.ConfigTexts.LISTENER;
import static io.tandem.config.ConfigTexts.POOL;
import static io.tandem.config.ConfigTexts.errors;
import static io.tandem.config.ConfigTexts.parses;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code vips} section: what a node gets, and every message about it. */
class VipConfigLoaderTest {
  private static final String CLUSTER = """
      cluster: {name: t}
      nodes:
        - {id: n1, cluster: 10.0.0.1:5701}
        - {id: n2, cluster: 10.0.0.2:5701}
        - {id: n3, cluster: 10.0.0.3:5701}
      """;

  private static String vips(String section) {
    return LISTENER + POOL + CLUSTER + section;
  }

  @Test
  void groupsTakeTheirDefaultsAndActiveActiveSpreadsPreferredNodes() {
    VipConfig vips = parses(vips("""
        vips:
          heartbeat: {interval: 20ms, dead-after: 3}
          witness: {address: 10.0.0.254, interface: eth0}
          groups:
            - name: front
              interface: eth0
              addresses: [10.0.0.100/24]
            - name: dns
              mode: active-active
              preempt: false
              interface: eth0
              gratuitous-arp: {count: 5, interval: 50ms}
              addresses:
                - 10.0.0.101/24
                - {address: 10.0.0.102/24, preferred: n3}
                - {address: 10.0.0.103, interface: eth1}
        """), "n1").vips();

    assertEquals(Duration.ofMillis(20), vips.heartbeatInterval());
    assertEquals(3, vips.deadAfter());
    assertEquals(new VipConfig.Witness("10.0.0.254", "eth0"), vips.witness());
    VipConfig.Group front = vips.groups().get(0);
    assertEquals(List.of("front", VipConfig.Mode.ACTIVE_PASSIVE, true), List.of(front.name(), front.mode(),
        front.preempt()));
    assertEquals(new VipConfig.Vip("10.0.0.100", 24, "eth0", List.of("n1", "n2", "n3"), 3, Duration.ofMillis(100)),
        front.vips().get(0));
    List<VipConfig.Vip> dns = vips.groups().get(1).vips();
    assertEquals(List.of(List.of("n1", "n2", "n3"), List.of("n3", "n1", "n2"), List.of("n3", "n1", "n2")),
        dns.stream().map(VipConfig.Vip::priority).toList());
    assertEquals(new VipConfig.Vip("10.0.0.103", 32, "eth1", List.of("n3", "n1", "n2"), 5, Duration.ofMillis(50)),
        dns.get(2));
  }

  @Test
  void withoutTheSectionThereAreNoVips() {
    assertEquals(VipConfig.NONE, parses(LISTENER + POOL).vips());
  }

  @Test
  void everyBadValueIsNamed() {
    assertEquals(List.of(
        "vips.heartbeat.interval: must be at least 10ms, got 5ms",
        "vips.heartbeat.dead-after: must be between 2 and 100, got 1",
        "vips.witness.interface: is required",
        "vips.groups[0].mode: must be one of: active-passive, active-active; got \"hot\"",
        "vips.groups[0].priority[1]: unknown node \"n9\"; defined nodes: n1, n2, n3",
        "vips.groups[0].addresses[0]: must be an IPv4 address with an optional prefix length like 10.0.0.100/24,"
            + " got \"10.0.0.300/24\"",
        "vips.groups[0].addresses[1]: IPv6 addresses are not supported yet (gratuitous ARP is IPv4), got \"fd00::1\"",
        "vips.groups[0].addresses[2].preferred: is for active-active groups; an active-passive group uses its"
            + " priority list",
        "vips.groups[0].addresses[3]: needs an interface (here or in the group's interface)",
        "vips.groups[1].name: duplicate group name \"a\", also used by vips.groups[0]",
        "vips.groups[1].priority: is for active-passive groups; in an active-active group give each address its"
            + " preferred node",
        "vips.groups[1].interface: must be a network interface name like eth0 (at most 15 characters, no spaces or"
            + " /), got \"eth 0\"",
        "vips.groups[1].addresses[0]: duplicate address 10.0.0.1, also used by vips.groups[0].addresses[4]"),
        errors(vips("""
            vips:
              heartbeat: {interval: 5ms, dead-after: 1}
              witness: {address: 10.0.0.254}
              groups:
                - name: a
                  mode: hot
                  priority: [n1, n9]
                  addresses:
                    - 10.0.0.300/24
                    - fd00::1
                    - {address: 10.0.0.2, interface: eth0, preferred: n1}
                    - 10.0.0.3
                    - {address: 10.0.0.1, interface: eth0}
                - name: a
                  mode: active-active
                  priority: [n1]
                  interface: eth 0
                  addresses: [{address: 10.0.0.1, interface: eth0}]
            """), "n1"));
  }

  @Test
  void aSectionWithoutGroupsIsAnError() {
    assertEquals(List.of("vips.groups: at least one group is required"), errors(vips("vips: {}\n"), "n1"));
  }
}
