package io.tandem.ctl;

import static io.tandem.ctl.Views.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;
import java.util.StringJoiner;

/** Renders {@code GET /routes} (each route, where it sends requests, its actions and counts) and a split change. */
final class RoutesView {
  private RoutesView() {}

  static void routes(JsonNode answer, PrintWriter out) {
    Table table = new Table("LISTENER", "ROUTE", "MATCH", "TO", ">REDIRECTED", ">DENIED", ">RETURNED", ">MIRRORED",
        ">MIRROR FAILED", "SPLIT SHARES");
    for (JsonNode r : answer.path("routes")) {
      JsonNode c = r.path("counts");
      table.row(text(r.path("listener")), text(r.path("route")), match(r.path("match")), target(r),
          text(c.path("redirected").path("total")), text(c.path("denied").path("total")),
          text(c.path("returned").path("total")), text(c.path("mirrored").path("total")),
          text(c.path("mirrorFailed").path("total")), shares(c.path("split")));
    }
    if (table.isEmpty()) {
      out.println("no HTTP routes");
    } else {
      table.print(out);
    }
    boolean first = true;
    for (JsonNode r : answer.path("routes")) {
      if (r.path("actions").isEmpty()) {
        continue;
      }
      out.println(first ? System.lineSeparator() + "actions, in order:" : "");
      first = false;
      out.println("  " + text(r.path("listener")) + " " + text(r.path("route")) + ":");
      for (JsonNode a : r.path("actions")) {
        out.println("    " + a.asText());
      }
    }
    Views.unavailable(answer, out);
  }

  /** {@code PUT /routes/{listener}/{route}/split}: the weights in force and who applied them. */
  static void split(JsonNode answer, PrintWriter out) {
    StringJoiner weights = new StringJoiner(" ");
    for (JsonNode t : answer.path("split")) {
      weights.add(text(t.path("pool")) + "=" + text(t.path("weight")));
    }
    out.printf("%s %s split %s  (version %s, applied by %s)%n", text(answer.path("listener")),
        text(answer.path("route")), weights, text(answer.path("version")), Views.list(answer.path("applied")));
    if (answer.path("pending").size() > 0) {
      out.println("NOT YET APPLIED by " + Views.list(answer.path("pending")));
    }
  }

  private static String match(JsonNode m) {
    StringJoiner j = new StringJoiner(" ");
    for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      j.add(e.getKey() + "=" + (e.getValue().isArray() ? Views.list(e.getValue()) : e.getValue().asText()));
    }
    return j.length() == 0 ? "*" : j.toString();
  }

  private static String target(JsonNode r) {
    if (r.has("split")) {
      StringJoiner j = new StringJoiner(" ");
      for (JsonNode t : r.path("split")) {
        j.add(text(t.path("pool")) + ":" + text(t.path("weight")));
      }
      return "split " + j + (r.has("mirror") ? " +mirror " + text(r.path("mirror").path("pool")) : "");
    }
    String pool = r.has("pool") ? text(r.path("pool")) : "(answers itself)";
    return r.has("mirror") ? pool + " +mirror " + text(r.path("mirror").path("pool")) : pool;
  }

  private static String shares(JsonNode split) {
    StringJoiner j = new StringJoiner(" ");
    for (Iterator<Map.Entry<String, JsonNode>> it = split.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      j.add(e.getKey() + "=" + text(e.getValue().path("total")));
    }
    return j.length() == 0 ? null : j.toString();
  }
}
