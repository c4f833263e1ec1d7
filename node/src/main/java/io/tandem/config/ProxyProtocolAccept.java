package io.tandem.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * Whether a listener accepts a PROXY protocol header (v1 or v2) from an outer balancer, and from whom. YAML
 * {@code proxy-protocol: {accept: true, trusted: [10.0.0.0/8], timeout: 5s}} on a {@code tcp} listener or a plain
 * {@code http} one (an HTTP listener's client address then feeds access rules, variables, affinity and the logs).
 *
 * @param accept  a connection from a trusted address must start with a PROXY header, whose source address then counts
 *                as the client's; a connection from any other address that starts with one is refused
 * @param trusted the outer balancers' addresses and networks
 * @param timeout how long a trusted connection may take to send its whole header
 */
public record ProxyProtocolAccept(boolean accept, List<Cidr> trusted, Duration timeout) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final ProxyProtocolAccept OFF = new ProxyProtocolAccept(false, List.of(), DEFAULT_TIMEOUT);

  public ProxyProtocolAccept {
    trusted = List.copyOf(trusted);
  }

  /** Whether {@code address} is one of the trusted senders. */
  public boolean trusts(InetAddress address) {
    return Cidr.anyContains(trusted, address);
  }
}
