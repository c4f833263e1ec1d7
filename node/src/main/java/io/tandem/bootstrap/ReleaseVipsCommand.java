package io.tandem.bootstrap;

import io.tandem.config.ConfigException;
import io.tandem.config.ConfigLoader;
import io.tandem.config.TandemConfig;
import io.tandem.config.VipConfig;
import io.tandem.vip.IpCommandDriver;
import io.tandem.vip.OsDriver;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tandem release-vips}: removes every VIP of the configuration from this host. The systemd unit runs it after
 * any stop (ExecStopPost), so that a node killed with -9 or crashed does not leave an address that its host would
 * keep answering ARP for while another node holds it.
 */
@Command(name = "release-vips", mixinStandardHelpOptions = true,
    description = "Removes every VIP of the configuration from this host's interfaces (run after a node stops).")
final class ReleaseVipsCommand implements Callable<Integer> {
  @Spec
  private picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", required = true, description = "configuration file (YAML)")
  private Path config;

  @Option(names = "--node", paramLabel = "ID", description = "which of the file's nodes this host runs")
  private String node;

  private final OsDriver driver;

  ReleaseVipsCommand(OsDriver driver) {
    this.driver = driver;
  }

  ReleaseVipsCommand() {
    this(new IpCommandDriver());
  }

  @Override
  public Integer call() {
    TandemConfig cfg;
    try {
      cfg = ConfigLoader.load(config, node);
    } catch (ConfigException e) {
      e.errors().forEach(error -> spec.commandLine().getErr().println(error));
      return ExitCodes.BAD_CONFIG;
    }
    int failed = 0;
    for (VipConfig.Vip vip : cfg.vips().all()) {
      try {
        driver.remove(vip);
        spec.commandLine().getOut().println("released " + vip.cidr() + " on " + vip.iface());
      } catch (OsDriver.VipException e) {
        spec.commandLine().getErr().println(e.getMessage());
        failed++;
      }
    }
    return failed == 0 ? ExitCodes.OK : ExitCodes.START_FAILED;
  }
}
