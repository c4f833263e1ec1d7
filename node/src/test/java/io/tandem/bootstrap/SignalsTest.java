package io.tandem.bootstrap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.testing.FakeNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One real signal, to check the wiring; what the signals do is tested in {@link NodeProcessTest}. */
class SignalsTest {
  @TempDir
  Path dir;

  @Test
  void hangupReloadsTheConfigurationFile() throws Exception {
    FakeNode node = new FakeNode(FakeNode.config(Duration.ofSeconds(7)), 8080);
    Path file = StubConfigFiles.write(dir, "tandem.yaml", "9");
    // Only HUP: TERM and INT handlers would outlive the test in this JVM.
    Signals.install(new NodeProcess(StubConfigFiles.source(file), node), List.of("HUP"));

    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid())).start();
    assertEquals(0, kill.waitFor());

    await().until(() -> node.reloads.size() == 1);
    assertEquals(Duration.ofSeconds(9), node.config().node().drainTimeout());
  }
}
