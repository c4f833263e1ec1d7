package io.tandem.health;

import io.vertx.core.net.SocketAddress;

/**
 * What a probe checks: a pool's backend by id, at an address. The checker makes one per backend from the pools in
 * force; probes need nothing else of it.
 *
 * @param pool the backend's pool (for logs)
 * @param id   the backend's id in its pool
 * @param host its host name or IP address
 * @param port its port
 */
public record ProbeTarget(String pool, String id, String host, int port) {
  /** The address to connect to. */
  public SocketAddress address() {
    return SocketAddress.inetSocketAddress(port, host);
  }

  @Override
  public String toString() {
    return pool + "/" + id + "(" + host + ":" + port + ")";
  }
}
