package io.tandem.cluster;

import io.tandem.testing.LogCapture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFileTest {
  @TempDir
  Path dir;

  private static BackendChange stamped(BackendChange c, long version) {
    return new BackendChange(c.pool(), c.backendId(), c.state(), c.weight(), version, "n1", 1_700_000_000_000L);
  }

  @Test
  void roundTripKeepsEveryField() {
    StateFile file = new StateFile(dir.resolve("sub/state.json"));
    BackendChange drain = stamped(BackendChange.state("web", "b1", AdminState.DRAINING), 1);
    BackendChange weight = stamped(BackendChange.weight("web", "b2", 7), 2);
    StateFile.State state = new StateFile.State(2, Map.of(drain.key(), drain, weight.key(), weight));

    assertTrue(file.write(state));

    assertEquals(state, file.read());
  }

  @Test
  void addedAndRemovedBackendsRoundTripAndAFileFromBeforeThemStillReads() throws Exception {
    StateFile file = new StateFile(dir.resolve("state.json"));
    BackendChange add = BackendChange.add("web", "b9", new BackendChange.Added("10.0.0.9", 8080, 3, 100))
        .stamped(1, "n2", 1_700_000_000_000L);
    BackendChange remove = BackendChange.remove("web", "b1").stamped(2, "n1", 1_700_000_000_001L);
    StateFile.State state = new StateFile.State(2, Map.of(add.key(), add, remove.key(), remove));
    assertTrue(file.write(state));
    assertEquals(state, file.read());

    Files.writeString(file.path(), "{\"version\":4,\"changes\":{\"web/b1\":{\"pool\":\"web\",\"backendId\":\"b1\","
        + "\"state\":\"DRAINING\",\"weight\":null,\"version\":4,\"node\":\"n1\",\"atMillis\":5}}}");
    BackendChange old = file.read().changes().get("web/b1");
    assertEquals(new BackendChange("web", "b1", AdminState.DRAINING, null, 4, "n1", 5), old);
    assertFalse(old.removed());
  }

  @Test
  void writeReplacesTheFileWholeAndLeavesNoTemporaryFile() throws Exception {
    StateFile file = new StateFile(dir.resolve("state.json"));
    BackendChange drain = stamped(BackendChange.state("web", "b1", AdminState.DRAINING), 1);
    file.write(new StateFile.State(1, Map.of(drain.key(), drain)));
    BackendChange enable = stamped(BackendChange.state("web", "b1", AdminState.ENABLED), 2);

    file.write(new StateFile.State(2, Map.of(enable.key(), enable)));

    assertEquals(new StateFile.State(2, Map.of(enable.key(), enable)), file.read());
    try (var files = Files.list(dir)) {
      assertEquals(List.of(dir.resolve("state.json")), files.toList());
    }
  }

  @Test
  void missingFileIsEmptyStateWithoutComplaint() {
    try (LogCapture log = LogCapture.of(StateFile.class)) {
      assertEquals(StateFile.State.EMPTY, new StateFile(dir.resolve("absent.json")).read());
      assertEquals(List.of(), log.lines());
    }
  }

  @Test
  void corruptFileIsReportedWithItsNameAndIgnored() throws Exception {
    Path path = dir.resolve("state.json");
    Files.writeString(path, "{\"version\": 3, \"changes\": {\"web/b1\": ");
    try (LogCapture log = LogCapture.of(StateFile.class)) {
      assertEquals(StateFile.State.EMPTY, new StateFile(path).read());
      assertEquals(1, log.lines().size());
      String line = log.lines().get(0);
      assertTrue(line.startsWith("WARN state file " + path + " is corrupt ("), line);
      assertTrue(line.endsWith("); starting without runtime changes"), line);
    }
  }

  @Test
  void negativeVersionIsCorrupt() throws Exception {
    Path path = dir.resolve("state.json");
    Files.writeString(path, "{\"version\": -4, \"changes\": {}}");
    try (LogCapture log = LogCapture.of(StateFile.class)) {
      assertEquals(StateFile.State.EMPTY, new StateFile(path).read());
      assertEquals(List.of("WARN state file " + path
          + " is corrupt (negative version -4); starting without runtime changes"), log.lines());
    }
  }

  @Test
  void unreadableFileIsReportedAndIgnored() throws Exception {
    Path path = Files.createDirectory(dir.resolve("state.json"));   // a directory cannot be read as a file
    try (LogCapture log = LogCapture.of(StateFile.class)) {
      assertEquals(StateFile.State.EMPTY, new StateFile(path).read());
      assertEquals(1, log.lines().size());
      assertTrue(log.lines().get(0).startsWith("WARN state file " + path + " cannot be read (java.io.IOException"),
          log.lines().get(0));
    }
  }

  @Test
  void failedWriteIsReportedAndReturnsFalse() throws Exception {
    Path blocker = Files.writeString(dir.resolve("plain-file"), "x");
    Path path = blocker.resolve("state.json");   // its parent is a file: no directory can be made there
    try (LogCapture log = LogCapture.of(StateFile.class)) {
      assertFalse(new StateFile(path).write(StateFile.State.EMPTY));
      assertEquals(1, log.lines().size());
      assertTrue(log.lines().get(0).startsWith("WARN state file " + path + " cannot be written ("), log.lines().get(0));
      assertTrue(log.lines().get(0).endsWith("); runtime changes are kept in the cluster only"), log.lines().get(0));
    }
  }
}
