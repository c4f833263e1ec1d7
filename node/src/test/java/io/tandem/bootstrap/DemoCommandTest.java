package io.tandem.bootstrap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.ConfigException;
import io.tandem.config.TandemConfig;
import io.tandem.testing.FakeNode;
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
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {
  @TempDir
  Path dir;

  private final AtomicReference<NodeProcess> running = new AtomicReference<>();
  private final FakeNode node = new FakeNode(FakeNode.config(Duration.ofSeconds(1)), 18080);
  /** The three-node demo's nodes, started in this order. */
  private final List<FakeNode> nodes = List.of(new FakeNode(FakeNode.config(Duration.ofSeconds(2)), 18081),
      new FakeNode(FakeNode.config(Duration.ofSeconds(2)), 18082),
      new FakeNode(FakeNode.config(Duration.ofSeconds(2)), 18083));
  private final AtomicInteger started = new AtomicInteger();
  private Launcher.Starter starter = config -> Future.succeededFuture(nodes.get(started.getAndIncrement()));

  private Launcher launcher() {
    return new Launcher(StubConfigFiles::source, config -> starter.start(config), running::set);
  }

  private CommandRun demo(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new CommandLine(new DemoCommand(launcher(), dir, List.of(0, 0, 0), List.of(0, 0, 0)))
        .setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    return new CommandRun(code, out.toString(), err.toString());
  }

  private Path write(String name, String... lines) throws Exception {
    Files.createDirectories(dir.resolve("config"));
    return StubConfigFiles.write(dir.resolve("config"), name, lines);
  }

  @Test
  void usesConfigDemoYamlFromTheWorkingDirectoryWhenPresent() throws Exception {
    assertEquals("classpath:/io/tandem/config/examples/demo.yaml",
        DemoCommand.configSource(dir, launcher()).name());

    Path file = write("demo.yaml", "1");
    assertEquals(file.toString(), DemoCommand.configSource(dir, launcher()).name());
  }

  @Test
  void usesConfigLocalClusterYamlFromTheWorkingDirectoryForEachNodeWhenPresent() throws Exception {
    assertEquals("classpath:/io/tandem/config/examples/local-cluster.yaml", DemoCommand.clusterName(dir));
    assertEquals(List.of("classpath:/io/tandem/config/examples/local-cluster.yaml (node n1)",
            "classpath:/io/tandem/config/examples/local-cluster.yaml (node n2)",
            "classpath:/io/tandem/config/examples/local-cluster.yaml (node n3)"),
        DemoCommand.clusterSources(dir, launcher()).stream().map(ConfigSource::name).toList());

    Path file = write("local-cluster.yaml", "1");
    assertEquals(file.toString(), DemoCommand.clusterName(dir));
    assertEquals(List.of(file + "#n1", file + "#n2", file + "#n3"),
        DemoCommand.clusterSources(dir, launcher()).stream().map(ConfigSource::name).toList());
  }

  @Test
  void theBundledClusterFileGivesEachNodeItsOwnListenerAndTheDemoBackends() throws Exception {
    List<ConfigSource> sources = DemoCommand.clusterSources(dir, launcher());

    for (int i = 0; i < 3; i++) {
      TandemConfig config = sources.get(i).read();
      assertEquals("n" + (i + 1), config.cluster().nodeId());
      assertEquals(18081 + i, config.listeners().get(0).port());
      assertEquals(List.of("b1 127.0.0.1:19001", "b2 127.0.0.1:19002", "b3 127.0.0.1:19003"),
          config.pools().get(0).backends().stream().map(b -> b.id() + " " + b.host() + ":" + b.port()).toList());
    }
  }

  @Test
  void aMissingBundledResourceIsAConfigurationError() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigSource.classpath("/io/tandem/bootstrap/missing.yaml").read());
    assertEquals("classpath:/io/tandem/bootstrap/missing.yaml: not found (the jar was built without it)",
        e.errors().get(0).toString());

    ConfigException cluster = assertThrows(ConfigException.class,
        () -> DemoCommand.bundled("/io/tandem/bootstrap/missing.yaml", "n2").read());
    assertEquals("classpath:/io/tandem/bootstrap/missing.yaml (node n2): not found (the jar was built without it)",
        cluster.errors().get(0).toString());
  }

  @Test
  void singleRunsBackendsAndANodePrintsWhatToTryAndStopsOnRequest() throws Exception {
    Path file = write("demo.yaml", "1");
    starter = config -> Future.succeededFuture(node);

    CompletableFuture<CommandRun> run = CompletableFuture.supplyAsync(() -> demo("--single"));
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
  void startsThreeNodesInOrderPrintsWhatToTryAndCtrlCStopsThemAll() throws Exception {
    Path file = write("local-cluster.yaml", "2");

    CompletableFuture<CommandRun> run = CompletableFuture.supplyAsync(this::demo);
    await().until(() -> running.get() != null);
    running.get().stop();
    nodes.forEach(n -> n.shutdown.complete());

    CommandRun result = run.join();
    assertEquals(new CommandRun(0, result.out(), ""), result);
    nodes.forEach(n -> assertEquals(List.of(Duration.ofSeconds(2)), n.shutdowns));
    List<String> lines = result.out().lines().toList();
    assertEquals(List.of(
        "Starting node n1 (joining the cluster takes a few seconds)...",
        "Starting node n2 (joining the cluster takes a few seconds)...",
        "Starting node n3 (joining the cluster takes a few seconds)...",
        "Tandem demo is running: nodes n1, n2, n3 of one cluster (configuration: " + file + ")."),
        lines.subList(0, 4));
    assertTrue(lines.get(4).matches("Backends b1, b2, b3 listen on 127\\.0\\.0\\.1 ports \\d+, \\d+, \\d+\\."),
        lines.get(4));
    assertEquals(List.of(
        "  node n1: http://127.0.0.1:18081/",
        "  node n2: http://127.0.0.1:18082/",
        "  node n3: http://127.0.0.1:18083/",
        "Try, to see one client stick to one backend through any node:",
        "  curl -i -c /tmp/tandem-demo-cookies.txt http://127.0.0.1:18081/login"
            + "   # the backend sets JSESSIONID, Tandem adds TANDEM_SERVER",
        "  curl -b /tmp/tandem-demo-cookies.txt http://127.0.0.1:18082/   # through another node: the same backend",
        "  curl -b /tmp/tandem-demo-cookies.txt http://127.0.0.1:18083/   # through another node: the same backend",
        "  curl -H 'Cookie: JSESSIONID=<the value from /login>' http://127.0.0.1:18083/"
            + "   # the learned session alone is enough",
        "  curl http://127.0.0.1:18082/   # no cookie: any backend",
        "Stop with Ctrl-C: every node drains and stops (a second Ctrl-C stops at once)."),
        lines.subList(5, lines.size()));
  }

  @Test
  void reloadReloadsEveryNodeFromItsOwnSourceOnlyWhenAllAreValid() throws Exception {
    Path file = write("local-cluster.yaml", "2");
    CompletableFuture<CommandRun> run = CompletableFuture.supplyAsync(this::demo);
    await().until(() -> running.get() != null);

    write("local-cluster.yaml", "7", "error@n3 nodes[2].id bad for n3");
    Throwable rejected = assertThrows(CompletionException.class,
        () -> running.get().reload().toCompletionStage().toCompletableFuture().join()).getCause();
    assertEquals(file + ": nodes[2].id: bad for n3", ((ConfigException) rejected).errors().get(0).toString());
    nodes.forEach(n -> assertEquals(List.of(), n.reloads));

    write("local-cluster.yaml", "7");
    running.get().reload().toCompletionStage().toCompletableFuture().join();
    nodes.forEach(n -> assertEquals(List.of(FakeNode.config(Duration.ofSeconds(7))), n.reloads));

    running.get().stop();
    nodes.forEach(n -> n.shutdown.complete());
    assertEquals(0, run.join().code());
  }

  @Test
  void aNodeThatFailsToStartStopsTheOthersAndExitsThree() throws Exception {
    write("local-cluster.yaml", "2");
    starter = config -> started.getAndIncrement() == 0 ? Future.succeededFuture(nodes.get(0))
        : Future.failedFuture("listener web cannot bind 127.0.0.1:18082: Address already in use");
    nodes.get(0).shutdown.complete();

    CommandRun result = demo();

    assertEquals(3, result.code());
    assertEquals("tandem: failed to start: node n2: listener web cannot bind 127.0.0.1:18082: Address already in use"
        + System.lineSeparator(), result.err());
    assertEquals(List.of(Duration.ZERO), nodes.get(0).shutdowns);
    assertEquals(2, started.get());
    assertEquals(null, running.get());
  }

  @Test
  void anInvalidClusterFileStartsNoNode() throws Exception {
    Path file = write("local-cluster.yaml", "2", "error@n2 nodes[1].cluster must be host:port");

    CommandRun result = demo();

    assertEquals(new CommandRun(1, "", file + ": nodes[1].cluster: must be host:port" + System.lineSeparator()
        + file + ": configuration test failed (1 error(s))" + System.lineSeparator()), result);
    assertEquals(0, started.get());
  }

  @Test
  void aTakenBackendPortFailsToStart() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer squatter = Launcher.await(vertx.createHttpServer().requestHandler(r -> r.response().end())
          .listen(0, DemoBackends.HOST));
      int taken = squatter.actualPort();

      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = new CommandLine(new DemoCommand(launcher(), dir, List.of(0, 0, 0), List.of(0, taken, 0)))
          .setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute();

      assertEquals(new CommandRun(3, "", "tandem demo: demo backend b2 cannot bind 127.0.0.1:" + taken
          + ": Address already in use" + System.lineSeparator()), new CommandRun(code, out.toString(), err.toString()));
      assertEquals(null, running.get());
    } finally {
      Launcher.await(vertx.close());
    }
  }
}
