package io.tandem.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.Hazelcast;
import io.tandem.testing.LogCapture;
import io.tandem.testing.MemberPorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clustered node whose listener cannot bind, started the way {@code tandem --config} starts it: it exits 3 with one
 * error naming what failed, and leaves no Hazelcast member behind (its member port is free again).
 */
class StartFailureTest {
  @TempDir
  Path dir;

  private final String cluster = "start-failure-" + System.nanoTime();

  @Test
  void anAdminListenerThatCannotBindLeavesNoClusterMemberBehind() throws Exception {
    int member = freePort();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path file = write(member, "admin: 127.0.0.1:" + taken.getLocalPort(), "bind: 127.0.0.1:0");

      String why = "admin listener cannot bind 127.0.0.1:" + taken.getLocalPort() + ": Address already in use";
      try (LogCapture log = LogCapture.of(Launcher.class)) {
        CommandRun run = CommandRun.of(Launcher.production(), "--config", file.toString(), "--node", "n1");

        assertEquals(new CommandRun(ExitCodes.START_FAILED, "", "tandem: failed to start: " + why
            + System.lineSeparator()), run);
        assertEquals(List.of("ERROR failed to start: " + why), log.lines());
      }
    }
    assertReleased(member);
  }

  @Test
  void aTrafficListenerThatCannotBindLeavesNoClusterMemberBehind() throws Exception {
    int member = freePort();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path file = write(member, "admin: 127.0.0.1:0", "bind: 127.0.0.1:" + taken.getLocalPort());

      CommandRun run = CommandRun.of(Launcher.production(), "--config", file.toString(), "--node", "n1");

      assertEquals(new CommandRun(ExitCodes.START_FAILED, "", "tandem: failed to start: listener web cannot bind"
          + " 127.0.0.1:" + taken.getLocalPort() + ": Address already in use" + System.lineSeparator()), run);
    }
    assertReleased(member);
  }

  /** No member of this test's cluster runs in this JVM, and nothing listens on its member port. */
  private void assertReleased(int memberPort) throws IOException {
    assertTrue(Hazelcast.getAllHazelcastInstances().stream()
        .noneMatch(hz -> hz.getConfig().getClusterName().equals(cluster)), "a Hazelcast member is still running");
    try (ServerSocket again = new ServerSocket(memberPort, 1, InetAddress.getLoopbackAddress())) {
      assertEquals(memberPort, again.getLocalPort());
    }
  }

  private Path write(int memberPort, String admin, String bind) throws IOException {
    Path file = dir.resolve("cluster.yaml");
    Files.writeString(file, String.join("\n",
        "cluster:",
        "  name: " + cluster,
        "  min-members: 1",
        "  state-file: " + dir.resolve("{node}.state.json"),
        "nodes:",
        "  - {id: n1, cluster: 127.0.0.1:" + memberPort + ", " + admin + "}",
        "  - {id: n2, cluster: 127.0.0.1:" + freePort() + "}",
        "listeners:",
        "  - {name: web, " + bind + ", default-pool: app}",
        "pools:",
        "  - {name: app, backends: [{address: 127.0.0.1:9}]}",
        ""));
    return file;
  }

  private static int freePort() throws IOException {
    return MemberPorts.free();
  }
}
