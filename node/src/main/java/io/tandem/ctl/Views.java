package io.tandem.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** Renders the admin API's JSON answers as text for people; tolerant of missing fields (printed as {@code -}). */
final class Views {
  private Views() {}

  /** {@code GET /cluster}: a summary line, the members, down nodes, VIPs and recent VIP moves. */
  static void cluster(JsonNode c, PrintWriter out) {
    out.printf("cluster %s  answered by %s  coordinator %s  quorum %s (min %s)  state version %s%n",
        shown(c.path("cluster")), shown(c.path("node")), shown(c.path("coordinator")),
        c.path("quorum").isBoolean() ? (c.path("quorum").asBoolean() ? "yes" : "NO") : "-",
        shown(c.path("minMembers")), shown(c.path("stateVersion")));
    out.println();
    Table nodes = new Table("NODE", "ROLE", "STATE", ">UPTIME", ">HEARTBEAT", ">APPLIED", "VERSION", "ADMIN");
    for (JsonNode m : c.path("members")) {
      nodes.row(text(m.path("id")) + (m.path("local").asBoolean() ? "*" : ""), text(m.path("role")),
          text(m.path("state")), duration(m.path("uptimeMillis")), duration(m.path("lastHeartbeatAgeMillis")),
          text(m.path("appliedVersion")), text(m.path("version")), text(m.path("admin")));
    }
    for (JsonNode down : c.path("down")) {
      nodes.row(down.asText(), null, "DOWN", null, null, null, null, null);
    }
    nodes.print(out);
    Table vips = new Table("VIP", "INTERFACE", "GROUP", "MODE", "HOLDER", "SINCE", "ERROR");
    for (JsonNode v : c.path("vips")) {
      vips.row(text(v.path("address")), text(v.path("interface")), text(v.path("group")), text(v.path("mode")),
          text(v.path("holder")), text(v.path("since")), text(v.path("error")));
    }
    out.println();
    if (vips.isEmpty()) {
      out.println("no VIPs");
    } else {
      vips.print(out);
    }
    if (c.path("vipMoves").size() > 0) {
      out.println();
      Table moves = new Table("AT", "VIP", "FROM", "TO", "REASON");
      for (JsonNode m : c.path("vipMoves")) {
        moves.row(text(m.path("at")), text(m.path("vip")), text(m.path("from")), text(m.path("to")),
            text(m.path("reason")));
      }
      moves.print(out);
    }
    unavailable(c, out);
  }

  /** {@code GET /pools}: one line per pool. */
  static void pools(JsonNode answer, PrintWriter out) {
    Table table = new Table("POOL", "ALGORITHM", "PERSISTENCE", ">BACKENDS", ">UP", ">CONNS", ">REQUESTS", ">ERRORS");
    for (JsonNode p : answer.path("pools")) {
      int up = 0;
      for (JsonNode b : p.path("backends")) {
        up += "up".equals(b.path("health").path("verdict").asText()) ? 1 : 0;
      }
      JsonNode totals = p.path("totals");
      table.row(text(p.path("name")), text(p.path("algorithm")), text(p.path("persistence")),
          p.path("backends").size(), up, text(totals.path("connections")), text(totals.path("requests")),
          text(totals.path("errors")));
    }
    table.print(out);
    unavailable(answer, out);
  }

  /** {@code GET /pools/{pool}}: one line per backend, with its health and load. */
  static void backends(JsonNode pool, PrintWriter out) {
    out.printf("pool %s  algorithm %s  persistence %s%n%n", shown(pool.path("name")), shown(pool.path("algorithm")),
        shown(pool.path("persistence")));
    Table table = new Table("BACKEND", "ADDRESS", "HEALTH", "CHECKED BY", "ADMIN", ">WEIGHT", ">CONNS", "PER NODE",
        ">REQUESTS", ">ERRORS", ">P50 MS", ">P99 MS", "SOURCE");
    List<String> unavailable = new ArrayList<>();
    for (JsonNode b : pool.path("backends")) {
      JsonNode health = b.path("health");
      table.row(text(b.path("id")), text(b.path("address")), text(health.path("verdict")),
          text(health.path("publishedBy")), text(b.path("adminState")), text(b.path("weight")),
          text(b.path("connections").path("total")), perNode(b.path("connections").path("perNode")),
          text(b.path("requests").path("total")), text(b.path("errors")), text(b.path("latencyMillis").path("p50")),
          text(b.path("latencyMillis").path("p99")), text(b.path("source")));
      b.path("unavailable").forEach(n -> unavailable.add(n.asText()));
    }
    table.print(out);
    if (!unavailable.isEmpty()) {
      out.println();
      out.println("counters incomplete: no answer from " + String.join(", ", unavailable.stream().distinct().toList()));
    }
  }

  /** The answer to a drain, enable, disable or weight change. */
  static void change(JsonNode c, PrintWriter out) {
    out.printf("%s/%s: %s, weight %s (version %s, applied on %s)%n", shown(c.path("pool")), shown(c.path("backend")),
        shown(c.path("adminState")), shown(c.path("weight")), shown(c.path("version")), list(c.path("applied")));
    if (c.path("pending").size() > 0) {
      out.println("not yet applied on " + list(c.path("pending")));
    }
  }

  /** {@code GET /sessions}: where one client key is bound. */
  static void session(JsonNode s, PrintWriter out) {
    out.printf("%s %s -> %s (since %s, last used %s)%n", shown(s.path("pool")), shown(s.path("key")),
        shown(s.path("backend")), shown(s.path("since")), shown(s.path("lastUsed")));
  }

  /** {@code POST /config/reload}: one line per node, then each error of the nodes that refused the file. */
  static void reload(JsonNode answer, PrintWriter out) {
    Table table = new Table("NODE", "RESULT");
    for (JsonNode r : answer.path("results")) {
      table.row(text(r.path("node")), r.path("ok").asBoolean() ? "ok" : "FAILED");
    }
    table.print(out);
    for (JsonNode r : answer.path("results")) {
      if (r.hasNonNull("error")) {
        out.printf("%s: %s%n", shown(r.path("node")), shown(r.path("error")));
      }
      for (JsonNode e : r.path("errors")) {
        out.printf("%s: %s: %s: %s%n", shown(r.path("node")), shown(e.path("file")), shown(e.path("field")),
            shown(e.path("message")));
      }
    }
    unavailable(answer, out);
  }

  /** Nodes in {@code r} whose reload failed, comma separated. */
  static String failedNodes(JsonNode answer) {
    StringJoiner failed = new StringJoiner(", ");
    answer.path("results").forEach(r -> {
      if (!r.path("ok").asBoolean()) {
        failed.add(r.path("node").asText());
      }
    });
    return failed.toString();
  }

  static void unavailable(JsonNode answer, PrintWriter out) {
    if (answer.path("unavailable").size() > 0) {
      out.println();
      out.println("incomplete: no answer from " + list(answer.path("unavailable")));
    }
  }

  /** A duration in milliseconds as {@code 850ms}, {@code 12.3s}, {@code 4m05s}, {@code 3h07m} or {@code 2d04h}. */
  static String duration(JsonNode millis) {
    if (!millis.isNumber()) {
      return null;
    }
    long ms = millis.asLong();
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format("%.1fs", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 3600) {
      return String.format("%dm%02ds", s / 60, s % 60);
    }
    if (s < 86_400) {
      return String.format("%dh%02dm", s / 3600, s % 3600 / 60);
    }
    return String.format("%dd%02dh", s / 86_400, s % 86_400 / 3600);
  }

  static String perNode(JsonNode perNode) {
    StringJoiner joined = new StringJoiner(" ");
    for (Map.Entry<String, JsonNode> e : perNode.properties()) {
      joined.add(e.getKey() + "=" + e.getValue().asText());
    }
    return joined.length() == 0 ? null : joined.toString();
  }

  static String list(JsonNode array) {
    StringJoiner joined = new StringJoiner(", ");
    array.forEach(n -> joined.add(n.asText()));
    return joined.length() == 0 ? "none" : joined.toString();
  }

  /** A scalar as text, {@code -} when missing or JSON null. */
  static String shown(JsonNode n) {
    String text = text(n);
    return text == null ? "-" : text;
  }

  /** A scalar as text; null (printed {@code -}) when missing or JSON null. */
  static String text(JsonNode n) {
    return n.isMissingNode() || n.isNull() || n.isContainerNode() ? null : n.asText();
  }
}
