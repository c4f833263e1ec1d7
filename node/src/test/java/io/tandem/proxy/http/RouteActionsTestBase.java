package io.tandem.proxy.http;

import io.tandem.testing.FakeBackend;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route's actions end to end on Tandem's own HTTP/1.1 path: configured in YAML as an operator writes them, through
 * a real node, to fake backends (main and canary) that record what they were sent.
 */
abstract class RouteActionsTestBase extends ProxyTestBase {
  @TempDir
  Path dir;
  FakeBackend main;
  FakeBackend canary;

  @Override
  protected int eventLoops() {
    return 2;
  }

  @BeforeEach
  void backends() {
    main = backend("main");
    canary = backend("canary");
    main.always(c -> c.respond(200, List.of("Server: app/1.2", "X-Powered-By: php", "Content-Type: text/plain"),
        io.vertx.core.buffer.Buffer.buffer("from main " + c.request().uri())));
  }

  void startWith(String listenerExtra, String routes) throws Exception {
    String yaml = """
        access-log: {enabled: true}
        listeners:
          - name: web
            bind: 127.0.0.1:0
            default-pool: main
        %s
            routes:
        %s
        pools:
          - name: main
            backends: [{id: m1, address: 127.0.0.1:%d}]
          - name: canary
            backends: [{id: c1, address: 127.0.0.1:%d}]
        """.formatted(listenerExtra.indent(4).stripTrailing(), routes.indent(6).stripTrailing(), main.port(),
        canary.port());
    startYaml(dir, yaml);
  }
}
