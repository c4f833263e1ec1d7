package io.tandem.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** {@code tandem ctl} is reachable from the main command line, with its own exit codes. */
class MainCtlTest {
  private final Launcher launcher = new Launcher(StubConfigFiles::source,
      config -> Future.failedFuture("no node may start"), process -> {});

  @Test
  void ctlIsASubcommandOfTandem() {
    CommandRun help = CommandRun.of(launcher, "ctl", "--help");

    assertEquals(0, help.code());
    assertTrue(help.out().startsWith("Usage: tandem ctl [-h] [--json] --admin=URL"), help.out());
  }

  @Test
  void ctlReportsAnUnreachableApiWithExitCodeThree() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    CommandRun run = CommandRun.of(launcher, "ctl", "--admin", "127.0.0.1:" + port, "pools");

    assertEquals(new CommandRun(3, "", "tandem ctl: cannot reach the admin API at http://127.0.0.1:" + port
        + ": connection refused\n"), run);
  }

  @Test
  void ctlUsageErrorsExitOneUnlikeTandemsOwn() {
    CommandRun run = CommandRun.of(launcher, "ctl", "status");

    assertEquals(1, run.code());
    assertTrue(run.err().startsWith("Missing required option: '--admin=URL'"), run.err());
  }
}
