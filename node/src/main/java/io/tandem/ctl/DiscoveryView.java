package io.tandem.ctl;

import static io.tandem.ctl.Views.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.StringJoiner;

/** Renders {@code GET /discovery}: each pool's discover entries, their backends and how their latest question went. */
final class DiscoveryView {
  private DiscoveryView() {}

  static void discovery(JsonNode answer, PrintWriter out) {
    Table table = new Table("POOL", "ENTRY", "STATUS", ">BACKENDS", ">LEAVING", ">VERSION", "RESOLVER", "LAST SUCCESS",
        "NEXT");
    for (JsonNode e : answer.path("entries")) {
      int leaving = 0;
      for (JsonNode b : e.path("backends")) {
        leaving += b.path("leaving").asBoolean() ? 1 : 0;
      }
      table.row(text(e.path("pool")), text(e.path("key")), text(e.path("status")),
          Integer.toString(e.path("backends").size() - leaving), Integer.toString(leaving), text(e.path("version")),
          text(e.path("resolver")), text(e.path("lastSuccess")), text(e.path("nextResolution")));
    }
    if (table.isEmpty()) {
      out.println("no pool discovers backends in DNS");
      return;
    }
    table.print(out);
    for (JsonNode e : answer.path("entries")) {
      StringJoiner backends = new StringJoiner(", ");
      for (JsonNode b : e.path("backends")) {
        backends.add(text(b.path("id")) + (b.path("priority").asInt() > 0 ? " p" + b.path("priority").asInt() : "")
            + (b.path("leaving").asBoolean() ? " (leaving, gone at " + text(b.path("removedAt")) + ")" : ""));
      }
      out.println(System.lineSeparator() + text(e.path("pool")) + " " + text(e.path("key")) + ": "
          + (backends.length() == 0 ? "no backends yet" : backends));
      if (!e.path("error").isNull() && !e.path("error").isMissingNode()) {
        out.println("  " + text(e.path("status")) + ", keeping the last good set: " + text(e.path("error")));
      }
    }
    Views.unavailable(answer, out);
  }
}
