package io.tandem.ctl;

import static io.tandem.ctl.Views.perNode;
import static io.tandem.ctl.Views.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.StringJoiner;

/** Renders {@code GET /limits}: rate-limit rules, pool guards, the busiest clients and the refusals per reason. */
final class LimitsView {
  private LimitsView() {}

  static void limits(JsonNode answer, PrintWriter out) {
    Table rules = new Table("LISTENER", "RULE", "KEY", ">RATE", ">BURST", ">KEYS", ">ADMITTED", ">REFUSED",
        "REFUSED PER NODE");
    for (JsonNode r : answer.path("rules")) {
      rules.row(text(r.path("listener")), text(r.path("rule")), text(r.path("key")),
          text(r.path("rate")) + "/" + period(r.path("periodMillis")), text(r.path("burst")),
          text(r.path("keysTracked").path("total")), text(r.path("admitted").path("total")),
          text(r.path("refused").path("total")), perNode(r.path("refused").path("perNode")));
    }
    section(out, rules, "no rate-limit rules", false);

    Table pools = new Table("POOL", "BREAKER", "OPEN ON", ">BREAKER REFUSALS", ">RETRIES", ">ALLOWED", ">DENIED",
        "SLOW START");
    for (JsonNode p : answer.path("pools")) {
      JsonNode cb = p.path("circuitBreaker");
      JsonNode budget = p.path("retryBudget");
      String breaker = cb.path("enabled").asBoolean() ? text(cb.path("consecutiveFailures")) + " fails / "
          + period(cb.path("openTimeMillis")) : null;
      pools.row(text(p.path("pool")), breaker,
          cb.path("open").isEmpty() ? null : Views.list(cb.path("open")), text(cb.path("refusals").path("total")),
          text(budget.path("retriesInFlight").path("total")), text(budget.path("allowed").path("total")),
          text(budget.path("denied").path("total")), warming(p.path("slowStart").path("backends")));
    }
    section(out, pools, "no pools", true);

    Table clients = new Table("LISTENER", ">MAX PER CLIENT", "CLIENT", ">CONNS", "PER NODE");
    for (JsonNode l : answer.path("clients")) {
      JsonNode maxPerClient = l.path("maxConnectionsPerClient");
      String max = maxPerClient.asInt() == 0 ? "unlimited" : text(maxPerClient);
      for (JsonNode c : l.path("top")) {
        clients.row(text(l.path("listener")), max, text(c.path("address")), text(c.path("connections").path("total")),
            perNode(c.path("connections").path("perNode")));
      }
    }
    section(out, clients, "no client connections open", true);

    Table refusals = new Table("REFUSED BECAUSE", ">TOTAL", "PER NODE", "PER LISTENER");
    for (JsonNode r : answer.path("refusals")) {
      refusals.row(text(r.path("reason")), text(r.path("total")), perNode(r.path("perNode")),
          perNode(r.path("perListener")));
    }
    section(out, refusals, "nothing refused", true);
    Views.unavailable(answer, out);
  }

  private static void section(PrintWriter out, Table table, String empty, boolean blankLineBefore) {
    if (blankLineBefore) {
      out.println();
    }
    if (table.isEmpty()) {
      out.println(empty);
    } else {
      table.print(out);
    }
  }

  /** A configured period as written in the file: {@code 1s}, {@code 1m}, {@code 2h}, {@code 250ms}. */
  static String period(JsonNode millis) {
    long ms = millis.asLong();
    for (long[] unit : new long[][] {{3_600_000, 'h'}, {60_000, 'm'}, {1000, 's'}}) {
      if (ms >= unit[0] && ms % unit[0] == 0) {
        return ms / unit[0] + String.valueOf((char) unit[1]);
      }
    }
    return ms + "ms";
  }

  /** Backends in slow start with their share per node: {@code b2 n1=40% n2=38%}. */
  private static String warming(JsonNode backends) {
    StringJoiner joined = new StringJoiner("; ");
    for (JsonNode b : backends) {
      StringJoiner shares = new StringJoiner(" ", text(b.path("backend")) + " ", "");
      for (Map.Entry<String, JsonNode> e : b.path("perNode").properties()) {
        shares.add(e.getKey() + "=" + Math.round(e.getValue().asDouble() * 100) + "%");
      }
      joined.add(shares.toString());
    }
    return joined.length() == 0 ? null : joined.toString();
  }
}
