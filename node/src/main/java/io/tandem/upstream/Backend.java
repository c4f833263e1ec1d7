package io.tandem.upstream;

import io.tandem.cluster.AdminState;
import io.vertx.core.net.SocketAddress;

/**
 * A backend as one routing snapshot sees it: identity, address, weight, limit and the state that decides whether it
 * may be picked. Immutable; a state change produces a new instance in a new snapshot. The live counters
 * ({@link #stats()}) are shared by every instance of the same pool and id.
 */
public final class Backend implements io.tandem.balancing.Candidate {
  private final String pool;
  private final String id;
  private final String host;
  private final int port;
  private final int weight;
  private final int maxConnections;
  private final String cookieToken;
  private final SocketAddress address;
  private final java.net.InetSocketAddress inetAddress;
  private final BackendStats stats;
  private final boolean healthy;
  private final boolean ejected;
  private final AdminState adminState;
  private final Source source;

  /**
   * Where a backend comes from: the configuration file, an operator's runtime add (admin API), or a pool's
   * {@code discover:} entry (DNS).
   */
  public enum Source { CONFIG, RUNTIME, DISCOVERED }

  public Backend(String pool, String id, String host, int port, int weight, int maxConnections, String cookieToken,
      BackendStats stats, boolean healthy, boolean ejected, AdminState adminState) {
    this(pool, id, host, port, weight, maxConnections, cookieToken, stats, healthy, ejected, adminState,
        Source.CONFIG);
  }

  public Backend(String pool, String id, String host, int port, int weight, int maxConnections, String cookieToken,
      BackendStats stats, boolean healthy, boolean ejected, AdminState adminState, Source source) {
    this.pool = pool;
    this.id = id;
    this.host = host;
    this.port = port;
    this.weight = weight;
    this.maxConnections = maxConnections;
    this.cookieToken = cookieToken;
    this.address = SocketAddress.inetSocketAddress(port, host);
    this.inetAddress = inet(host, port);
    this.stats = stats;
    this.healthy = healthy;
    this.ejected = ejected;
    this.adminState = adminState;
    this.source = source;
  }

  public Backend withState(boolean healthy, boolean ejected, AdminState adminState) {
    return new Backend(pool, id, host, port, weight, maxConnections, cookieToken, stats, healthy, ejected, adminState,
        source);
  }

  @Override
  public String pool() {
    return pool;
  }

  @Override
  public String id() {
    return id;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  @Override
  public int weight() {
    return weight;
  }

  public int maxConnections() {
    return maxConnections;
  }

  /** Opaque id carried in the persistence cookie; never the address. */
  public String cookieToken() {
    return cookieToken;
  }

  public SocketAddress address() {
    return address;
  }

  /**
   * The address for a socket connect: resolved when the host is an IP literal, else unresolved, for the connecting
   * code's asynchronous resolver (never a blocking DNS lookup here).
   */
  public java.net.InetSocketAddress inetAddress() {
    return inetAddress;
  }

  private static java.net.InetSocketAddress inet(String host, int port) {
    byte[] ip = io.netty.util.NetUtil.createByteArrayFromIpAddressString(host);
    if (ip == null) {
      return java.net.InetSocketAddress.createUnresolved(host, port);
    }
    try {
      return new java.net.InetSocketAddress(java.net.InetAddress.getByAddress(host, ip), port);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("invalid address " + host, e);   // cannot happen: the length was checked
    }
  }

  public BackendStats stats() {
    return stats;
  }

  public boolean healthy() {
    return healthy;
  }

  public boolean ejected() {
    return ejected;
  }

  public AdminState adminState() {
    return adminState;
  }

  /** Whether the configuration file, an operator's runtime add or DNS discovery put this backend in its pool. */
  public Source source() {
    return source;
  }

  /** May receive new sessions: healthy, not ejected, enabled. */
  public boolean eligible() {
    return healthy && !ejected && adminState == AdminState.ENABLED;
  }

  /** May receive requests of sessions already bound to it: as {@link #eligible()}, but draining is fine. */
  public boolean acceptsBound() {
    return healthy && !ejected && adminState != AdminState.DISABLED;
  }

  public String hostPort() {
    return host + ":" + port;
  }

  @Override
  public String toString() {
    return pool + "/" + id + "(" + host + ":" + port + ")";
  }
}
