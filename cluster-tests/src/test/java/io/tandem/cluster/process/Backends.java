package io.tandem.cluster.process;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tandem.cluster.Sessions;
import io.tandem.testing.FakeBackend;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Backends b1, b2, b3 in this JVM for node processes to balance over (skips the test when the jar is not built). */
final class Backends implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final Map<String, FakeBackend> byId = new LinkedHashMap<>();

  /** @param logins whether they serve {@link Sessions} logins (else they echo) */
  static Backends start(boolean logins) {
    assumeTrue(Files.exists(NodeProcess.JAR),
        "needs the built jar node/target/tandem.jar: run `mvn -B -DskipTests install` from the repository root");
    Backends backends = new Backends();
    for (String id : List.of("b1", "b2", "b3")) {
      FakeBackend b = FakeBackend.start(backends.vertx, id);
      if (logins) {
        Sessions.serveLogins(b);
      }
      backends.byId.put(id, b);
    }
    return backends;
  }

  /** Backend id to port. */
  Map<String, Integer> ports() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    byId.forEach((id, b) -> ports.put(id, b.port()));
    return ports;
  }

  @Override
  public void close() throws Exception {
    byId.values().forEach(FakeBackend::close);
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
