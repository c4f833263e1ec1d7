package io.tandem.bootstrap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.ConfigError;
import io.tandem.config.ConfigException;
import io.tandem.testing.FakeNode;
import io.tandem.testing.LogCapture;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @TempDir
  Path dir;

  private final AtomicInteger starts = new AtomicInteger();
  private final AtomicReference<NodeProcess> running = new AtomicReference<>();
  private final FakeNode node = new FakeNode(FakeNode.config(Duration.ofSeconds(5)), 4321);
  /** The --node id of every configuration source opened ("null" without one). */
  private final List<String> opened = new CopyOnWriteArrayList<>();

  private Launcher launcher(Launcher.Starter starter) {
    return new Launcher((file, nodeId) -> {
      opened.add(String.valueOf(nodeId));
      return StubConfigFiles.source(file, nodeId);
    }, config -> {
      starts.incrementAndGet();
      return starter.start(config);
    }, running::set);
  }

  private Launcher launcher() {
    return launcher(config -> Future.succeededFuture(node));
  }

  @Test
  void helpListsTheOptionsTheDemoAndTheExitCodes() {
    CommandRun run = CommandRun.of(launcher(), "--help");

    assertEquals(0, run.code());
    assertTrue(run.out().startsWith("Usage: tandem [-hV] [--check-config] [--config=FILE] [--node=ID] [COMMAND]"),
        run.out());
    assertTrue(run.out().contains("--check-config   check the configuration file and exit (0 when valid);"),
        run.out());
    assertTrue(run.out().contains("without --node, once for each node it defines"), run.out());
    assertTrue(run.out().contains("--node=ID        which of the file's nodes this process is"), run.out());
    assertTrue(run.out().contains("Signals: HUP reloads the configuration file; TERM or INT stops gracefully"));
    assertTrue(run.out().contains("3   failed to start (for example a port already in use)"), run.out());
    assertTrue(run.out().contains("4   stopped without finishing the drain (second stop signal)"));
    assertTrue(run.out().contains("demo"));
  }

  @Test
  void versionFallsBackToDevOutsideTheJar() {
    CommandRun run = CommandRun.of(launcher(), "--version");

    assertEquals(new CommandRun(0, "tandem dev" + System.lineSeparator(), ""), run);
  }

  @Test
  void unknownOptionIsAUsageError() {
    CommandRun run = CommandRun.of(launcher(), "--config", "x.yaml", "--bogus");

    assertEquals(2, run.code());
    assertTrue(run.err().startsWith("Unknown option: '--bogus'"), run.err());
    assertEquals(0, starts.get());
  }

  @Test
  void missingConfigIsAUsageError() {
    CommandRun run = CommandRun.of(launcher());

    assertEquals(2, run.code());
    assertTrue(run.err().startsWith("Missing required option: '--config=FILE'"), run.err());
  }

  @Test
  void checkConfigOnAGoodFile() {
    Path file = StubConfigFiles.write(dir, "good.yaml", "30");

    CommandRun run = CommandRun.of(launcher(), "--config", file.toString(), "--check-config");

    assertEquals(new CommandRun(0, file + ": configuration OK" + System.lineSeparator(), ""), run);
    assertEquals(0, starts.get());
  }

  @Test
  void checkConfigOnABadFilePrintsEveryError() {
    Path file = StubConfigFiles.write(dir, "bad.yaml",
        "error listeners[0].port must be between 0 and 65535, got 70000",
        "error pools must not be empty");

    CommandRun run = CommandRun.of(launcher(), "--check-config", "--config", file.toString());

    assertEquals(1, run.code());
    assertEquals("", run.out());
    assertEquals(List.of(
        file + ": listeners[0].port: must be between 0 and 65535, got 70000",
        file + ": pools: must not be empty",
        file + ": configuration test failed (2 error(s))"), run.err().lines().toList());
  }

  @Test
  void badConfigDoesNotStartTheNode() {
    Path file = StubConfigFiles.write(dir, "bad.yaml", "error pools must not be empty");

    CommandRun run = CommandRun.of(launcher(), "--config", file.toString());

    assertEquals(1, run.code());
    assertEquals(List.of(file + ": pools: must not be empty", file + ": configuration test failed (1 error(s))"),
        run.err().lines().toList());
    assertEquals(0, starts.get());
  }

  @Test
  void failureToStartExitsThree() {
    Path file = StubConfigFiles.write(dir, "tandem.yaml", "30");
    Launcher launcher = launcher(config -> Future.failedFuture(
        "listener web cannot bind 127.0.0.1:8080: Address already in use"));

    CommandRun run = CommandRun.of(launcher, "--config", file.toString());

    assertEquals(new CommandRun(3,
        "", "tandem: failed to start: listener web cannot bind 127.0.0.1:8080: Address already in use"
            + System.lineSeparator()), run);
  }

  @Test
  void startFailureThrownInsteadOfReportedAlsoExitsThree() {
    Path file = StubConfigFiles.write(dir, "tandem.yaml", "30");
    Launcher launcher = launcher(config -> {
      throw new UnsupportedOperationException();
    });

    CommandRun run = CommandRun.of(launcher, "--config", file.toString());

    assertEquals(new CommandRun(3, "",
        "tandem: failed to start: java.lang.UnsupportedOperationException" + System.lineSeparator()), run);
  }

  @Test
  void checkConfigWithoutANodeChecksEveryNodeTheFileDefines() {
    Path file = StubConfigFiles.write(dir, "cluster.yaml", "30", "nodes n1 n2 n3", "error@n2 nodes[1].cluster: bad");

    CommandRun run = CommandRun.of(launcher(), "--config", file.toString(), "--check-config");

    assertEquals(1, run.code());
    assertEquals(List.of(file + "#n1: configuration OK", file + "#n3: configuration OK"), run.out().lines().toList());
    assertEquals(List.of(file + ": nodes[1].cluster:: bad", file + "#n2: configuration test failed (1 error(s))"),
        run.err().lines().toList());
    assertEquals(List.of("null", "n1", "n2", "n3"), opened);
    assertEquals(0, starts.get());
  }

  @Test
  void checkConfigOfEveryNodeExitsZeroWhenAllAreValid() {
    Path file = StubConfigFiles.write(dir, "cluster.yaml", "30", "nodes n1 n2");

    CommandRun run = CommandRun.of(launcher(), "--config", file.toString(), "--check-config");

    assertEquals(new CommandRun(0, file + "#n1: configuration OK" + System.lineSeparator() + file
        + "#n2: configuration OK" + System.lineSeparator(), ""), run);
  }

  @Test
  void checkConfigWithANodeChecksOnlyThatNode() {
    Path file = StubConfigFiles.write(dir, "cluster.yaml", "30", "nodes n1 n2", "error@n1 nodes[0].id bad");

    CommandRun run = CommandRun.of(launcher(), "--config", file.toString(), "--check-config", "--node", "n2");

    assertEquals(new CommandRun(0, file + "#n2: configuration OK" + System.lineSeparator(), ""), run);
    assertEquals(List.of("n2"), opened);
  }

  @Test
  void theNodeIsPassedToTheSourceTheNodeStartsAndReloadsFrom() {
    Path file = StubConfigFiles.write(dir, "cluster.yaml", "30", "nodes n1 n2");
    try (LogCapture log = LogCapture.of(Launcher.class)) {
      CompletableFuture<CommandRun> run = CompletableFuture.supplyAsync(
          () -> CommandRun.of(launcher(), "--config", file.toString(), "--node", "n2"));

      await().until(() -> running.get() != null);
      assertEquals("INFO started with " + file + "#n2", log.lines().get(log.lines().size() - 1));
      StubConfigFiles.write(dir, "cluster.yaml", "30", "nodes n1 n2", "error@n2 nodes[1].id bad for n2");
      Throwable reload = assertThrows(CompletionException.class,
          () -> running.get().reload().toCompletionStage().toCompletableFuture().join()).getCause();
      assertEquals(List.of(new ConfigError(file.toString(), "nodes[1].id", "bad for n2")),
          ((ConfigException) reload).errors());
      assertEquals(List.of("n2"), opened);
      running.get().stop();
      node.shutdown.complete();
      assertEquals(0, run.join().code());
    }
  }

  @Test
  void runsUntilStoppedThenExitsZero() {
    Path file = StubConfigFiles.write(dir, "tandem.yaml", "30");
    try (LogCapture log = LogCapture.of(Launcher.class)) {
      CompletableFuture<CommandRun> run =
          CompletableFuture.supplyAsync(() -> CommandRun.of(launcher(), "--config", file.toString()));

      await().until(() -> running.get() != null);
      assertEquals(List.of("INFO listener web (http) bound to 127.0.0.1:4321", "INFO started with " + file),
          log.lines());
      assertTrue(!run.isDone());
      running.get().stop();
      node.shutdown.complete();

      assertEquals(new CommandRun(0, "", ""), run.join());
      assertEquals(List.of(Duration.ofSeconds(5)), node.shutdowns);
    }
  }
}
