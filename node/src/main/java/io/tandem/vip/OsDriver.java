package io.tandem.vip;

import io.tandem.config.VipConfig;
import java.util.List;

/**
 * What the VIP controller asks of the operating system. {@link IpCommandDriver} is the only implementation that runs
 * commands ({@code ip}, {@code arping}); tests use a fake that records calls and can fail on demand.
 *
 * <p>Every method may block for a few milliseconds (it starts a process): the controller calls them on a thread of
 * its own, never on an event loop, one call at a time. A failure is a {@link VipException} whose message says what
 * failed and why, in words an operator can act on, e.g.
 * {@code "ip addr add 10.0.0.100/24 dev eth0 failed: RTNETLINK answers: Operation not permitted (needs CAP_NET_ADMIN)"}.
 */
public interface OsDriver {

  /**
   * Problems that would stop this node from holding {@code vips}, one readable line each, empty when there are none:
   * a missing capability (CAP_NET_ADMIN, CAP_NET_RAW), a missing command, a missing interface. Called at start-up.
   */
  List<String> check(List<VipConfig.Vip> vips);

  /** Adds the address to its interface; an address already there is not an error. */
  void add(VipConfig.Vip vip);

  /** Removes the address from its interface; an address that is not there is not an error. */
  void remove(VipConfig.Vip vip);

  /** Sends one gratuitous ARP for the address from its interface, so that neighbours update their caches. */
  void announce(VipConfig.Vip vip);

  /** Whether {@code address} answers ARP on {@code iface} within about a second (the two-node witness). */
  boolean reachable(String iface, String address);

  /** A driver call failed; the message names the command and the reason. */
  final class VipException extends RuntimeException {
    public VipException(String message) {
      super(message);
    }
  }
}
