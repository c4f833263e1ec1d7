package io.tandem.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports for cluster members, which need a fixed port known before they start. Chosen below the kernel's
 * ephemeral range: a port taken from that range and released can be grabbed by any outgoing connection (another
 * test's HTTP client) before the member binds it. A port is only given out when it binds without SO_REUSEADDR, so
 * it is free for every socket, and never twice in one JVM. Every test that needs a fixed port uses this (node's and
 * cluster-tests').
 */
public final class MemberPorts {
  /**
   * Every port given out in this JVM. A test asks for several before it binds any (a cluster's member ports, then
   * its admin ports): without this, two of them could be the same free port.
   */
  private static final java.util.Set<Integer> GIVEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private MemberPorts() {}

  /** A free member port on 127.0.0.1. */
  public static int free() {
    return free("127.0.0.1");
  }

  /** A free port on {@code host}, below the ephemeral range. */
  public static int free(String host) {
    int below = ephemeralLow();
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(10_000, below);
      if (!GIVEN.add(port)) {
        continue;   // handed out before in this JVM: a cluster's member and admin ports must not meet
      }
      try (ServerSocket s = new ServerSocket()) {
        // Without SO_REUSEADDR (Java turns it on by default): a port whose closed connections wait in TIME_WAIT
        // (a member of an earlier test listened on it) binds here but not for a socket that leaves the option off.
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1);
        return s.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port on " + host + " between 10000 and " + below);
  }

  private static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      return Math.max(11_000, Integer.parseInt(range.split("\\s+")[0]));
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
