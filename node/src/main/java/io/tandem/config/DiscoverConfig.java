package io.tandem.config;

import java.time.Duration;
import java.util.Locale;

/**
 * One {@code pools[].discover[]} entry: backends that are a DNS name's records. An address name ({@code name:} with a
 * {@code port:}) gives one backend per A/AAAA record; an SRV name ({@code srv:}) one per target address, with the
 * record's port, weight and priority (the lowest priority with an eligible backend takes the traffic, as HAProxy's
 * {@code backup} servers do).
 *
 * @param type           which records are asked
 * @param name           the DNS name, lower case, without a trailing dot
 * @param port           the backends' port for an address name; 0 for SRV (each record has its own)
 * @param weight         the backends' weight (1..256) for an address name; SRV records carry their own
 * @param maxConnections each discovered backend's limit; 0: unlimited
 * @param minInterval    the name is asked again no sooner than this after an answer
 * @param maxInterval    and no later than this
 * @param drainGrace     a backend that left the answer drains this long, then is removed
 */
public record DiscoverConfig(Type type, String name, int port, int weight, int maxConnections, Duration minInterval,
    Duration maxInterval, Duration drainGrace) {

  /** The records an entry asks for. */
  public enum Type {
    /** A and AAAA. */
    ANY,
    IPV4,
    IPV6,
    SRV
  }

  /**
   * Key of this entry in its pool, and of its published set in the cluster: {@code web.tandem.test:19001} or
   * {@code srv:_http._tcp.api.tandem.test}; the family is part of an address entry's key when it is not both.
   */
  public String key() {
    return switch (type) {
      case SRV -> "srv:" + name;
      case ANY -> name + ":" + port;
      default -> type.name().toLowerCase(Locale.ROOT) + ":" + name + ":" + port;
    };
  }
}
