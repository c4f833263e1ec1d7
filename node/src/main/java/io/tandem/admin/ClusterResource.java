package io.tandem.admin;

import io.tandem.cluster.Membership;
import io.tandem.config.ClusterConfig;
import io.tandem.config.TandemConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code GET /api/v1/cluster}: the members as the shared state sees them (coordinator, quorum, announced versions and
 * start times, the age of each one's last count publication), each member's applied state version (asked of its admin
 * listener), the configured nodes that are down, and VIP ownership (empty until a VIP controller exists).
 */
final class ClusterResource {
  private final NodeView node;
  private final PeerClient peers;
  private final LocalResource local;
  private final Supplier<String> selfAdmin;

  /** @param selfAdmin this node's bound admin address ({@code host:port}) */
  ClusterResource(NodeView node, PeerClient peers, LocalResource local, Supplier<String> selfAdmin) {
    this.node = node;
    this.peers = peers;
    this.local = local;
    this.selfAdmin = selfAdmin;
  }

  void get(RoutingContext ctx) {
    peers.getAll("/api/v1/local/stats").onSuccess(fanOut -> {
      Map<String, JsonObject> stats = new java.util.HashMap<>(fanOut.answers());
      stats.put(node.nodeId(), local.stats());
      Json.ok(ctx, cluster(stats, fanOut.unavailable()));
    }).onFailure(ctx::fail);
  }

  private JsonObject cluster(Map<String, JsonObject> stats, List<String> unavailable) {
    TandemConfig cfg = node.config().get();
    Membership membership = node.shared().membership();
    Map<String, Membership.MemberInfo> info = membership.info();
    Map<String, Long> heard = node.shared().connections().lastPublished();
    long now = System.currentTimeMillis();
    String coordinator = membership.coordinator();
    JsonArray members = new JsonArray();
    for (Membership.Member m : membership.members()) {
      Membership.MemberInfo announced = info.get(m.nodeId());
      JsonObject stat = stats.get(m.nodeId());
      long startedAt = announced != null && announced.startedAtMillis() > 0 ? announced.startedAtMillis()
          : stat != null ? parse(stat.getString("startedAt")) : m.local() ? node.startedAtMillis() : 0;
      Long heartbeat = m.local() ? Long.valueOf(now) : heard.get(m.nodeId());
      String admin = announced != null && announced.adminAddress() != null ? announced.adminAddress()
          : m.local() ? selfAdmin.get() : peers.configured(m.nodeId());
      members.add(new JsonObject()
          .put("id", m.nodeId()).put("address", m.address()).put("admin", admin).put("local", m.local())
          .put("role", m.nodeId().equals(coordinator) ? "coordinator" : "member")
          .put("state", "up")
          .put("version", announced != null ? announced.version() : stat != null ? stat.getString("version") : null)
          .put("startedAt", Json.time(startedAt))
          .put("uptimeMillis", startedAt > 0 ? Math.max(0, now - startedAt) : null)
          .put("lastHeartbeat", heartbeat == null ? null : Json.time(heartbeat))
          .put("lastHeartbeatAgeMillis", heartbeat == null ? null : Math.max(0, now - heartbeat))
          .put("appliedVersion", stat == null ? null : stat.getLong("appliedVersion")));
    }
    Set<String> live = membership.members().stream().map(Membership.Member::nodeId).collect(Collectors.toSet());
    List<String> down = new ArrayList<>();
    ClusterConfig cc = cfg.cluster();
    if (cc != null && !cc.discoversMembers()) {   // members found in DNS are only known while they are live
      cc.nodes().stream().map(ClusterConfig.NodeEntry::id).filter(id -> !live.contains(id)).forEach(down::add);
    }
    return new JsonObject().put("node", node.nodeId()).put("cluster", cc == null ? null : cc.name())
        .put("coordinator", coordinator).put("quorum", membership.hasQuorum())
        .put("minMembers", cc == null ? 1 : cc.minMembers())
        .put("stateVersion", node.shared().runtime().version())
        .put("members", members).put("down", Json.array(down))
        .put("vips", vips()).put("vipMoves", vipMoves()).put("vipProblems", vipProblems())
        .put("unavailable", Json.array(unavailable));
  }

  /** Every VIP and its holder as this node computes it (the same on every node with quorum). */
  private JsonArray vips() {
    JsonArray result = new JsonArray();
    if (node.vips() != null) {
      for (io.tandem.vip.VipStatus v : node.vips().status()) {
        result.add(new JsonObject().put("address", v.address()).put("interface", v.iface()).put("group", v.group())
            .put("mode", BackendJson.spelling(v.mode())).put("holder", v.holder())
            .put("heldHere", v.heldLocally())
            .put("since", v.since() == null ? null : Json.time(v.since().toEpochMilli()))
            .put("error", v.lastError()));
      }
    }
    return result;
  }

  /** The latest moves this node saw, oldest first. */
  private JsonArray vipMoves() {
    JsonArray result = new JsonArray();
    if (node.vips() != null) {
      for (io.tandem.vip.VipMove m : node.vips().history()) {
        result.add(new JsonObject().put("at", Json.time(m.time().toEpochMilli())).put("vip", m.vip())
            .put("from", m.from()).put("to", m.to()).put("reason", m.reason()));
      }
    }
    return result;
  }

  /** Why this node cannot hold VIPs (missing privileges or interface), by node id; empty when fine. */
  private JsonObject vipProblems() {
    JsonObject result = new JsonObject();
    if (node.vips() != null && !node.vips().problems().isEmpty()) {
      result.put(node.nodeId(), Json.array(node.vips().problems()));
    }
    return result;
  }

  private static long parse(String time) {
    return time == null ? 0 : java.time.Instant.parse(time).toEpochMilli();
  }
}
