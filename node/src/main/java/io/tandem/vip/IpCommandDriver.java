package io.tandem.vip;

import io.tandem.config.VipConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@link OsDriver} on iproute2's {@code ip} and iputils' {@code arping} (Debian {@code iputils-arping}; the other
 * arping package has different flags). The only code in Tandem that runs a command.
 */
public final class IpCommandDriver implements OsDriver {
  static final int CAP_NET_ADMIN = 12;
  static final int CAP_NET_RAW = 13;
  private static final long TIMEOUT_MILLIS = 5_000;
  private static final long ANNOUNCE_WAIT_MILLIS = 50;

  private final String ip;
  private final String arping;
  private final Path procStatus;

  public IpCommandDriver() {
    this("ip", "arping", Path.of("/proc/self/status"));
  }

  IpCommandDriver(String ip, String arping, Path procStatus) {
    this.ip = ip;
    this.arping = arping;
    this.procStatus = procStatus;
  }

  @Override
  public List<String> check(List<VipConfig.Vip> vips) {
    List<String> problems = new ArrayList<>();
    long caps = effectiveCapabilities(procStatus);
    if (caps >= 0 && (caps & (1L << CAP_NET_ADMIN)) == 0) {
      problems.add("missing capability CAP_NET_ADMIN: cannot add or remove addresses (run as root or set"
          + " AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW in the systemd unit)");
    }
    if (caps >= 0 && (caps & (1L << CAP_NET_RAW)) == 0) {
      problems.add("missing capability CAP_NET_RAW: cannot send gratuitous ARP (run as root or set"
          + " AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW in the systemd unit)");
    }
    Result version = run(List.of(arping, "-V"));
    if (version.exit == 127) {
      problems.add("command " + arping + " not found: install iputils-arping");
    }
    Set<String> interfaces = new LinkedHashSet<>();
    vips.forEach(vip -> interfaces.add(vip.iface()));
    for (String iface : interfaces) {
      Result link = run(List.of(ip, "-o", "link", "show", "dev", iface));
      if (link.exit == 127) {
        problems.add("command " + ip + " not found: install iproute2");
        break;
      }
      if (link.exit != 0) {
        problems.add("interface " + iface + " does not exist (" + link.err + ")");
      }
    }
    return problems;
  }

  @Override
  public void add(VipConfig.Vip vip) {
    Result r = run(List.of(ip, "addr", "add", vip.cidr(), "dev", vip.iface()));
    if (r.exit != 0 && !r.err.contains("File exists") && !r.err.contains("already assigned")) {
      throw failure(r, "CAP_NET_ADMIN");
    }
  }

  @Override
  public void remove(VipConfig.Vip vip) {
    Result r = run(List.of(ip, "addr", "del", vip.cidr(), "dev", vip.iface()));
    if (r.exit != 0 && !r.err.contains("Cannot assign requested address") && !r.err.contains("Address not found")) {
      throw failure(r, "CAP_NET_ADMIN");
    }
  }

  @Override
  public void announce(VipConfig.Vip vip) {
    // -U: unsolicited ARP (a gratuitous announcement). arping sends at once but then lingers for its 1 s interval:
    // wait only long enough to see it fail (a missing capability fails at once); it exits on its own.
    Result r = run(List.of(arping, "-q", "-U", "-c", "1", "-I", vip.iface(), vip.address()), ANNOUNCE_WAIT_MILLIS);
    if (r.exit != 0 && r.exit != STILL_RUNNING) {
      throw failure(r, "CAP_NET_RAW");
    }
  }

  @Override
  public boolean reachable(String iface, String address) {
    return run(List.of(arping, "-q", "-c", "1", "-w", "1", "-I", iface, address)).exit == 0;
  }

  /** The effective capability set from a {@code /proc/PID/status} file, or -1 when it cannot be read. */
  static long effectiveCapabilities(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("CapEff:")) {
          return Long.parseUnsignedLong(line.substring(7).trim(), 16);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  private static VipException failure(Result r, String capability) {
    String hint = r.err.contains("not permitted") ? " (needs " + capability + ")" : "";
    String why = r.exit == 127 ? "command not found" : r.err.isEmpty() ? "exit code " + r.exit : r.err;
    return new VipException(r.command + " failed: " + why + hint);
  }

  private record Result(String command, int exit, String err) {}

  private static Result run(List<String> command) {
    Result r = run(command, TIMEOUT_MILLIS);
    return r.exit == STILL_RUNNING ? new Result(r.command, -1, "timed out after " + TIMEOUT_MILLIS + " ms") : r;
  }

  private static final int STILL_RUNNING = Integer.MIN_VALUE;

  /** Runs {@code command}; if it is still running after {@code waitMillis}, leaves it running (exit STILL_RUNNING). */
  private static Result run(List<String> command, long waitMillis) {
    String text = String.join(" ", command);
    Process process;
    try {
      process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      return new Result(text, 127, "command not found");
    }
    try {
      if (!process.waitFor(waitMillis, TimeUnit.MILLISECONDS)) {
        if (waitMillis >= TIMEOUT_MILLIS) {
          process.destroyForcibly();
        }
        return new Result(text, STILL_RUNNING, "");
      }
      try (InputStream err = process.getErrorStream()) {
        String message = new String(err.readAllBytes(), StandardCharsets.UTF_8).trim().replace('\n', ' ');
        return new Result(text, process.exitValue(), message);
      }
    } catch (IOException e) {
      return new Result(text, -1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return new Result(text, -1, "interrupted");
    }
  }
}
