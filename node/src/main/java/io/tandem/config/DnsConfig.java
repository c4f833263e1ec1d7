package io.tandem.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * How names are resolved for discovery (YAML section {@code dns}): for pools' {@code discover:} entries and for
 * {@code cluster.discovery: dns}. Each entry may override the intervals and the drain grace.
 *
 * @param resolvers   name servers asked in turn (IP address and port); empty: those of {@code /etc/resolv.conf}
 * @param timeout     one query's time-out before the next server is asked
 * @param minInterval a name is asked again no sooner than this after an answer, whatever its TTL
 * @param maxInterval and no later than this, whatever its TTL; also the longest wait between retries after failures
 * @param drainGrace  a backend that leaves the answer drains this long (keeps its sessions, takes no new ones) before
 *                    it is removed
 */
public record DnsConfig(List<InetSocketAddress> resolvers, Duration timeout, Duration minInterval,
    Duration maxInterval, Duration drainGrace) {
  public static final DnsConfig DEFAULTS = new DnsConfig(List.of(), Duration.ofSeconds(2), Duration.ofSeconds(1),
      Duration.ofSeconds(30), Duration.ofSeconds(30));

  public DnsConfig {
    resolvers = List.copyOf(resolvers);
  }
}
