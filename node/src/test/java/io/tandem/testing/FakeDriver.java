package io.tandem.testing;

import io.tandem.config.VipConfig;
import io.tandem.vip.OsDriver;
import io.tandem.vip.OsDriver.VipException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An {@link OsDriver} for one simulated host: keeps the addresses "on its interfaces" in memory, counts
 * announcements, and fails or reports problems on demand. Thread-safe.
 */
public final class FakeDriver implements OsDriver {
  private final Set<String> addresses = new HashSet<>();
  private final List<String> announced = new ArrayList<>();
  private List<String> problems = List.of();
  private String failAdd;
  private boolean witnessReachable = true;

  /** Addresses present on this host, as {@code address/prefix%iface}. */
  public synchronized Set<String> addresses() {
    return Set.copyOf(addresses);
  }

  public synchronized boolean has(VipConfig.Vip vip) {
    return addresses.contains(key(vip));
  }

  /** Puts an address on the host as if a killed process had left it there. */
  public synchronized void leftOver(VipConfig.Vip vip) {
    addresses.add(key(vip));
  }

  /** Gratuitous ARP announcements sent, one entry per announcement (the address). */
  public synchronized List<String> announced() {
    return List.copyOf(announced);
  }

  /** Makes {@link #check} report these problems. */
  public synchronized void problems(List<String> problems) {
    this.problems = List.copyOf(problems);
  }

  /** Makes every {@link #add} fail with this message (null: succeed again). */
  public synchronized void failAdd(String message) {
    this.failAdd = message;
  }

  public synchronized void witnessReachable(boolean reachable) {
    this.witnessReachable = reachable;
  }

  @Override
  public synchronized List<String> check(List<VipConfig.Vip> vips) {
    return problems;
  }

  @Override
  public synchronized void add(VipConfig.Vip vip) {
    if (failAdd != null) {
      throw new VipException("ip addr add " + vip.cidr() + " dev " + vip.iface() + " failed: " + failAdd);
    }
    addresses.add(key(vip));
  }

  @Override
  public synchronized void remove(VipConfig.Vip vip) {
    addresses.remove(key(vip));
  }

  @Override
  public synchronized void announce(VipConfig.Vip vip) {
    announced.add(vip.address());
  }

  @Override
  public synchronized boolean reachable(String iface, String address) {
    return witnessReachable;
  }

  private static String key(VipConfig.Vip vip) {
    return vip.cidr() + "%" + vip.iface();
  }
}
