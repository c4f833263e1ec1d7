package io.tandem.vip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.config.VipConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the OS driver reports without touching the network: capabilities and missing commands. */
class IpCommandDriverTest {
  @TempDir
  Path dir;

  private static final VipConfig.Vip VIP =
      new VipConfig.Vip("10.0.0.100", 24, "eth0", List.of("n1"), 3, Duration.ofMillis(100));

  @Test
  void missingCapabilitiesAndCommandsAreNamedWithTheFix() throws Exception {
    Path status = Files.writeString(dir.resolve("status"), "Name:\tjava\nCapEff:\t0000000000000400\n");
    IpCommandDriver driver = new IpCommandDriver("/nonexistent/ip", "/nonexistent/arping", status);

    assertEquals(List.of(
        "missing capability CAP_NET_ADMIN: cannot add or remove addresses (run as root or set"
            + " AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW in the systemd unit)",
        "missing capability CAP_NET_RAW: cannot send gratuitous ARP (run as root or set"
            + " AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW in the systemd unit)",
        "command /nonexistent/arping not found: install iputils-arping",
        "command /nonexistent/ip not found: install iproute2"), driver.check(List.of(VIP)));
  }

  @Test
  void aFailedCommandNamesItselfAndTheReason() {
    IpCommandDriver driver = new IpCommandDriver("/nonexistent/ip", "/nonexistent/arping", Path.of("/none"));

    OsDriver.VipException e = org.junit.jupiter.api.Assertions.assertThrows(OsDriver.VipException.class,
        () -> driver.add(VIP));

    assertEquals("/nonexistent/ip addr add 10.0.0.100/24 dev eth0 failed: command not found", e.getMessage());
  }

  @Test
  void effectiveCapabilitiesAreReadFromProcStatus() throws Exception {
    Path status = Files.writeString(dir.resolve("status"), "CapEff:\t0000000000003000\n");

    assertEquals(0x3000L, IpCommandDriver.effectiveCapabilities(status));
    assertEquals(-1L, IpCommandDriver.effectiveCapabilities(dir.resolve("missing")));
  }
}
