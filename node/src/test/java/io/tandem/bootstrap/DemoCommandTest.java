package io.tandem.bootstrap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {
  @TempDir
  Path dir;

  private final AtomicReference<NodeProcess> running = new AtomicReference<>();
  private final FakeNode node = new FakeNode(FakeNode.config(Duration.ofSeconds(1)), 18080);
  private final Launcher launcher =
      new Launcher(StubConfigFiles::source, config -> Future.succeededFuture(node), running::set);

  private CommandRun demo(List<Integer> backendPorts) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new CommandLine(new DemoCommand(launcher, dir, backendPorts))
        .setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute();
    return new CommandRun(code, out.toString(), err.toString());
  }

  @Test
  void usesConfigDemoYamlFromTheWorkingDirectoryWhenPresent() throws Exception {
    assertEquals("classpath:/io/tandem/config/examples/demo.yaml",
        DemoCommand.configSource(dir, launcher).name());

    Files.createDirectories(dir.resolve("config"));
    Path file = StubConfigFiles.write(dir.resolve("config"), "demo.yaml", "1");
    assertEquals(file.toString(), DemoCommand.configSource(dir, launcher).name());
  }

  @Test
  void aMissingBundledResourceIsAConfigurationError() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigSource.classpath("/io/tandem/bootstrap/missing.yaml").read());

    assertEquals("classpath:/io/tandem/bootstrap/missing.yaml: not found (the jar was built without it)",
        e.errors().get(0).toString());
  }

  @Test
  void runsBackendsAndANodePrintsWhatToTryAndStopsOnRequest() throws Exception {
    Files.createDirectories(dir.resolve("config"));
    Path file = StubConfigFiles.write(dir.resolve("config"), "demo.yaml", "1");

    CompletableFuture<CommandRun> run = CompletableFuture.supplyAsync(() -> demo(List.of(0, 0, 0)));
    await().until(() -> running.get() != null);
    running.get().stop();
    node.shutdown.complete();

    CommandRun result = run.join();
    assertEquals(0, result.code());
    List<String> lines = result.out().lines().toList();
    assertEquals("Tandem demo is running (configuration: " + file + ").", lines.get(0));
    assertTrue(lines.get(1).matches(
        "Backends b1, b2, b3 listen on 127\\.0\\.0\\.1 ports \\d+, \\d+, \\d+; the balancer on http://127\\.0\\.0\\.1:18080\\."),
        lines.get(1));
    assertEquals(List.of("Try:",
        "  curl -i http://127.0.0.1:18080/                                 # default pool: b1, b2 or b3",
        "  curl -i http://127.0.0.1:18080/video/x                          # the /video route: always the same backend",
        "  curl -i -H 'Host: billing.example.com' http://127.0.0.1:18080/  # the billing host: its own backend",
        "  curl -i -c /tmp/tandem-demo-cookies.txt -b /tmp/tandem-demo-cookies.txt http://127.0.0.1:18080/"
            + "   # twice: the cookie keeps you on one backend",
        "Stop with Ctrl-C (a second Ctrl-C stops at once)."), lines.subList(2, lines.size()));
  }

  @Test
  void aTakenBackendPortFailsToStart() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer squatter = Launcher.await(vertx.createHttpServer().requestHandler(r -> r.response().end())
          .listen(0, DemoBackends.HOST));
      int taken = squatter.actualPort();

      CommandRun result = demo(List.of(taken, 0, 0));

      assertEquals(new CommandRun(3, "", "tandem demo: demo backend b1 cannot bind 127.0.0.1:" + taken
          + ": Address already in use" + System.lineSeparator()), result);
      assertEquals(null, running.get());
    } finally {
      Launcher.await(vertx.close());
    }
  }
}
