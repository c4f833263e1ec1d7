package io.tandem.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.ConfigLoader;
import io.tandem.config.VipConfig;
import io.tandem.testing.FakeDriver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tandem release-vips}: what the unit's ExecStopPost runs after any stop. */
class ReleaseVipsCommandTest {
  @TempDir
  Path dir;

  @Test
  void removesEveryVipOfTheFileFromThisHost() throws Exception {
    Path file = Files.writeString(dir.resolve("t.yaml"), """
        listeners: [{name: web, bind: 127.0.0.1:8080}]
        pools: [{name: app, backends: [{address: 127.0.0.1:9001}]}]
        vips:
          groups:
            - {name: front, interface: eth0, addresses: [10.0.0.100/24, 10.0.0.101]}
        """);
    FakeDriver host = new FakeDriver();
    VipConfig.Vip left = ConfigLoader.load(file).vips().all().get(0);
    host.leftOver(left);
    StringWriter out = new StringWriter();

    int code = new CommandLine(new ReleaseVipsCommand(host)).setOut(new PrintWriter(out))
        .execute("--config", file.toString());

    assertEquals(0, code);
    assertTrue(host.addresses().isEmpty());
    String nl = System.lineSeparator();
    assertEquals("released 10.0.0.100/24 on eth0" + nl + "released 10.0.0.101/32 on eth0" + nl, out.toString());
  }

  @Test
  void anInvalidFileIsReportedWithExitCode1() throws Exception {
    Path file = Files.writeString(dir.resolve("t.yaml"), "vips: {groups: []}\n");
    StringWriter err = new StringWriter();

    int code = new CommandLine(new ReleaseVipsCommand(new FakeDriver())).setErr(new PrintWriter(err))
        .execute("--config", file.toString());

    assertEquals(1, code);
    assertTrue(err.toString().contains("vips.groups: at least one group is required"), err.toString());
  }
}
