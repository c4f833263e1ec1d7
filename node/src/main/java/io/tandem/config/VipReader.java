package io.tandem.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads the {@code vips} section: groups of floating addresses, the liveness beat and the two-node witness. */
final class VipReader {
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");
  private static final Duration MIN_HEARTBEAT = Duration.ofMillis(10);

  private VipReader() {}

  /**
   * @param nodeIds the ids of the file's nodes in file order; for a standalone file, the single node's id
   */
  static VipConfig read(YamlMap top, List<String> nodeIds) {
    if (!top.has("vips")) {
      return VipConfig.NONE;
    }
    YamlMap vips = top.map("vips", "heartbeat", "witness", "groups");
    YamlMap beat = vips.map("heartbeat", "interval", "dead-after");
    Duration interval = beat.duration("interval", VipConfig.DEFAULT_HEARTBEAT);
    if (interval.compareTo(MIN_HEARTBEAT) < 0) {
      beat.error("interval", "must be at least 10ms, got " + interval.toMillis() + "ms");
      interval = VipConfig.DEFAULT_HEARTBEAT;
    }
    int deadAfter = beat.integer("dead-after", VipConfig.DEFAULT_DEAD_AFTER, 2, 100);
    VipConfig.Witness witness = null;
    if (vips.has("witness")) {
      YamlMap w = vips.map("witness", "address", "interface");
      String address = w.required("address", VipReader::ipv4);
      String iface = w.required("interface", VipReader::iface);
      witness = address == null || iface == null ? null : new VipConfig.Witness(address, iface);
    }
    Map<String, String> seenGroups = new HashMap<>();
    Map<String, String> seenAddresses = new HashMap<>();
    int[] count = {0};
    List<VipConfig.Group> groups = vips.maps("groups", group -> {
      count[0]++;
      return readGroup(group, nodeIds, seenGroups, seenAddresses);
    },
        "name", "mode", "preempt", "priority", "interface", "gratuitous-arp", "addresses");
    if (count[0] == 0) {
      vips.error("groups", "at least one group is required");
    }
    return new VipConfig(groups, interval, deadAfter, witness);
  }

  private static VipConfig.Group readGroup(YamlMap group, List<String> nodeIds, Map<String, String> seenGroups,
      Map<String, String> seenAddresses) {
    String name = group.required("name", Scalars::text);
    if (name != null && seenGroups.putIfAbsent(name, group.path()) != null) {
      group.error("name", "duplicate group name \"" + name + "\", also used by " + seenGroups.get(name));
    }
    VipConfig.Mode mode = group.choice("mode", VipConfig.Mode.class, VipConfig.Mode.ACTIVE_PASSIVE);
    boolean preempt = group.bool("preempt", true);
    List<String> listed = group.scalars("priority", node -> nodeId(node, nodeIds));
    if (mode == VipConfig.Mode.ACTIVE_ACTIVE && group.has("priority")) {
      group.error("priority", "is for active-passive groups; in an active-active group give each address its"
          + " preferred node");
    }
    List<String> priority = listed.isEmpty() ? nodeIds : listed;
    String groupInterface = group.value("interface", null, VipReader::iface);
    YamlMap garp = group.map("gratuitous-arp", "count", "interval");
    int garpCount = garp.integer("count", VipConfig.DEFAULT_GARP_COUNT, 1, 100);
    Duration garpInterval = garp.duration("interval", VipConfig.DEFAULT_GARP_INTERVAL);

    List<VipConfig.Vip> vips = new ArrayList<>();
    group.list("addresses", (element, path) -> {
      YamlMap address = element.isTextual() ? null : YamlMap.open(element, path, group.problems(),
          "address", "interface", "preferred");
      String[] cidr;
      String iface = groupInterface;
      String preferred = null;
      try {
        if (address == null) {
          cidr = cidr(element);
        } else {
          cidr = address.required("address", VipReader::cidr);
          iface = address.value("interface", groupInterface, VipReader::iface);
          preferred = address.value("preferred", null, node -> nodeId(node, nodeIds));
          if (address.has("preferred") && mode == VipConfig.Mode.ACTIVE_PASSIVE) {
            address.error("preferred", "is for active-active groups; an active-passive group uses its priority list");
          }
        }
      } catch (IllegalArgumentException e) {
        group.problems().add(path, e.getMessage());
        return null;
      }
      if (cidr == null) {
        return null;
      }
      if (iface == null) {
        group.problems().add(path, "needs an interface (here or in the group's interface)");
        return null;
      }
      String first = seenAddresses.putIfAbsent(cidr[0], path);
      if (first != null) {
        group.problems().add(path, "duplicate address " + cidr[0] + ", also used by " + first);
        return null;
      }
      List<String> order = mode == VipConfig.Mode.ACTIVE_ACTIVE
          ? preferredFirst(preferred, vips.size(), nodeIds) : priority;
      VipConfig.Vip vip = new VipConfig.Vip(cidr[0], Integer.parseInt(cidr[1]), iface, order, garpCount, garpInterval);
      vips.add(vip);
      return vip;
    });
    if (vips.isEmpty()) {
      if (!group.has("addresses")) {
        group.error("addresses", "at least one address is required");
      }
      return null;
    }
    return name == null ? null : new VipConfig.Group(name, mode, preempt, vips);
  }

  /**
   * Active-active: the preferred node first, then the others in file order starting after it, so that a dead node's
   * addresses go to different survivors. Without {@code preferred}, the i-th address prefers the i-th node.
   */
  private static List<String> preferredFirst(String preferred, int index, List<String> nodeIds) {
    if (nodeIds.isEmpty()) {
      return List.of();
    }
    int start = preferred == null ? index % nodeIds.size() : nodeIds.indexOf(preferred);
    List<String> order = new ArrayList<>();
    for (int i = 0; i < nodeIds.size(); i++) {
      order.add(nodeIds.get((start + i) % nodeIds.size()));
    }
    return order;
  }

  private static String nodeId(JsonNode node, List<String> nodeIds) {
    String id = Scalars.text(node);
    if (!nodeIds.contains(id)) {
      throw new IllegalArgumentException("unknown node \"" + id + "\"; defined nodes: " + String.join(", ", nodeIds));
    }
    return id;
  }

  /** {@code 10.0.0.100/24}, or a bare address meaning {@code /32}: gives {address, prefix}. */
  private static String[] cidr(JsonNode node) {
    String form = "must be an IPv4 address with an optional prefix length like 10.0.0.100/24, got "
        + Scalars.describe(node);
    if (!node.isTextual()) {
      throw new IllegalArgumentException(form);
    }
    String text = node.textValue();
    if (text.contains(":")) {
      throw new IllegalArgumentException("IPv6 addresses are not supported yet (gratuitous ARP is IPv4), got "
          + Scalars.describe(node));
    }
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    String prefix = slash < 0 ? "32" : text.substring(slash + 1);
    if (!isIpv4(address) || !prefix.matches("\\d{1,2}") || Integer.parseInt(prefix) > 32) {
      throw new IllegalArgumentException(form);
    }
    return new String[] {address, String.valueOf(Integer.parseInt(prefix))};
  }

  private static String ipv4(JsonNode node) {
    if (!node.isTextual() || !isIpv4(node.textValue())) {
      throw new IllegalArgumentException("must be an IPv4 address like 10.0.0.1, got " + Scalars.describe(node));
    }
    return node.textValue();
  }

  private static boolean isIpv4(String text) {
    var m = IPV4.matcher(text);
    if (!m.matches()) {
      return false;
    }
    for (int i = 1; i <= 4; i++) {
      if (Integer.parseInt(m.group(i)) > 255) {
        return false;
      }
    }
    return true;
  }

  private static String iface(JsonNode node) {
    String name = Scalars.text(node);
    if (!INTERFACE.matcher(name).matches()) {
      throw new IllegalArgumentException("must be a network interface name like eth0 (at most 15 characters, no"
          + " spaces or /), got " + Scalars.describe(node));
    }
    return name;
  }
}
