package io.tandem.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.TandemConfig;
import io.tandem.testing.FakeNode;
import io.tandem.testing.LogCapture;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeProcessTest {
  @TempDir
  Path dir;

  private final TandemConfig initial = FakeNode.config(Duration.ofSeconds(7));
  private final FakeNode node = new FakeNode(initial, 8080);
  private Path file;
  private NodeProcess process;
  private LogCapture log;

  @BeforeEach
  void setUp() {
    file = StubConfigFiles.write(dir, "tandem.yaml", "7");
    process = new NodeProcess(StubConfigFiles.source(file), node);
    log = LogCapture.of(NodeProcess.class);
  }

  @AfterEach
  void tearDown() {
    log.close();
  }

  @Test
  void reloadAppliesAValidFile() {
    StubConfigFiles.write(dir, "tandem.yaml", "12");

    assertTrue(process.reload().succeeded());

    assertEquals(Duration.ofSeconds(12), node.config().node().drainTimeout());
    assertEquals(List.of("INFO reloaded " + file), log.lines());
  }

  @Test
  void reloadOfAnInvalidFileKeepsTheConfigurationInForceAndLogsEveryError() {
    StubConfigFiles.write(dir, "tandem.yaml",
        "error listeners[0].port must be between 0 and 65535, got 70000",
        "error pools[1].backends must not be empty");

    assertTrue(process.reload().failed());

    assertTrue(node.reloads.isEmpty());
    assertSame(initial, node.config());
    assertEquals(List.of(
        "ERROR reload rejected: " + file + ": listeners[0].port: must be between 0 and 65535, got 70000",
        "ERROR reload rejected: " + file + ": pools[1].backends: must not be empty",
        "ERROR reload rejected: 2 error(s) in " + file + "; keeping the configuration in force"), log.lines());
  }

  @Test
  void reloadRefusedByTheNodeIsLogged() {
    StubConfigFiles.write(dir, "tandem.yaml", "12");
    node.reloadResult = Future.failedFuture("listener web cannot move to port 81");

    assertTrue(process.reload().failed());

    assertSame(initial, node.config());
    assertEquals(List.of("ERROR reload of " + file
        + " failed; keeping the configuration in force: listener web cannot move to port 81"), log.lines());
  }

  @Test
  void stopDrainsForTheConfiguredTimeoutThenExitsZero() {
    process.stop();

    assertEquals(List.of(Duration.ofSeconds(7)), node.shutdowns);
    assertFalse(process.exited().isComplete());
    node.shutdown.complete();
    assertEquals(0, process.exited().result());
    assertEquals(List.of("INFO stopping: draining in-flight requests for at most 7000 ms", "INFO stopped"),
        log.lines());
  }

  @Test
  void secondStopDuringTheDrainExitsAtOnce() {
    process.stop();
    process.stop();

    assertEquals(4, process.exited().result());
    assertEquals(1, node.shutdowns.size());
    assertEquals("WARN second stop request: exiting without waiting for the drain to finish", log.lines().get(1));
  }

  @Test
  void failedShutdownExitsUnclean() {
    process.stop();
    node.shutdown.fail(new IllegalStateException("listener web did not close"));

    assertEquals(4, process.exited().result());
    assertEquals("ERROR shutdown failed: java.lang.IllegalStateException: listener web did not close",
        log.lines().get(1));
  }

  @Test
  void reloadDuringTheDrainIsIgnored() {
    process.stop();

    assertTrue(process.reload().failed());

    assertTrue(node.reloads.isEmpty());
    assertEquals("WARN reload ignored: the node is stopping", log.lines().get(1));
  }
}
