package io.tandem.admin;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * {@code GET /} and its assets: the dashboard's static files from the classpath directory
 * {@code io/tandem/admin/dashboard/}. A build without them answers a placeholder page at {@code /}.
 */
final class Dashboard {
  static final String ROOT = "io/tandem/admin/dashboard";
  private static final String PLACEHOLDER = "<!doctype html><html><head><title>Tandem</title></head><body>"
      + "<h1>Tandem admin</h1><p>The dashboard is not part of this build. The API is at "
      + "<a href=\"/api/v1/cluster\">/api/v1/cluster</a>, documented in "
      + "<a href=\"/api/v1/openapi.yaml\">/api/v1/openapi.yaml</a>.</p></body></html>";

  private final boolean present = Dashboard.class.getClassLoader().getResource(ROOT + "/index.html") != null;
  private final StaticHandler files = StaticHandler.create(ROOT).setIndexPage("index.html")
      .setDirectoryListing(false).setCachingEnabled(false);

  void serve(RoutingContext ctx) {
    if (!present && ctx.request().path().equals("/")) {
      ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(PLACEHOLDER);
      return;
    }
    files.handle(ctx);
  }
}
