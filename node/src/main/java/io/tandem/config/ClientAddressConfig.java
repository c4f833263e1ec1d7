package io.tandem.config;

import java.net.InetAddress;
import java.util.List;

/**
 * Where an HTTP listener behind other proxies reads the real client's address (YAML
 * {@code client-address: {header: X-Forwarded-For, trusted: [10.0.0.0/8]}}, nginx's {@code real_ip_header} with
 * {@code set_real_ip_from} and {@code real_ip_recursive on}). Only when the connection comes from a trusted address:
 * the header's addresses are read from the right, trusted ones skipped, and the first other one is the client; the
 * client address then feeds access rules, variables, affinity, rate limits and the logs, while
 * {@code X-Forwarded-For} gets the connecting proxy's address appended, as a hop should.
 *
 * @param header  {@code X-Forwarded-For} (a list, rightmost last) or any header with one address
 * @param trusted the proxies allowed to name the client
 */
public record ClientAddressConfig(String header, List<Cidr> trusted) {
  public ClientAddressConfig {
    trusted = List.copyOf(trusted);
  }

  public boolean trusts(InetAddress address) {
    return Cidr.anyContains(trusted, address);
  }
}
