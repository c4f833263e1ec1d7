package io.tandem.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads the {@code dns} section and the {@code discover} entries of pools. */
final class DnsReader {
  /** Longest name (RFC 1035: 253 characters in text form). */
  private static final int MAX_NAME = 253;

  private DnsReader() {}

  static DnsConfig read(YamlMap top) {
    YamlMap dns = top.map("dns", "resolvers", "timeout", "min-interval", "max-interval", "drain-grace");
    DnsConfig d = DnsConfig.DEFAULTS;
    List<InetSocketAddress> resolvers = dns.scalars("resolvers", DnsReader::resolver);
    Duration timeout = dns.duration("timeout", d.timeout());
    Duration min = dns.duration("min-interval", d.minInterval());
    Duration max = dns.duration("max-interval", d.maxInterval());
    if (max.compareTo(min) < 0) {
      dns.error("max-interval", "must not be shorter than min-interval (" + min.toMillis() + "ms), got "
          + max.toMillis() + "ms");
    }
    Duration grace = dns.value("drain-grace", d.drainGrace(), DnsReader::grace);
    return new DnsConfig(resolvers, timeout, min, max, grace);
  }

  /** The {@code discover} entries of a pool; their intervals and grace default to the {@code dns} section's. */
  static List<DiscoverConfig> discover(YamlMap pool, DnsConfig dns) {
    Map<String, Integer> seen = new HashMap<>();
    int[] index = {0};
    return pool.maps("discover", entry -> {
      int position = index[0]++;
      boolean srv = entry.has("srv");
      if (srv == entry.has("name")) {
        entry.error(srv ? "srv" : "name", srv ? "give either name (A/AAAA records, with a port) or srv (SRV "
            + "records), not both" : "is required: the DNS name whose A/AAAA records are the backends (or srv: for "
            + "an SRV name)");
        return null;
      }
      String name = entry.required(srv ? "srv" : "name", DnsReader::name);
      DiscoverConfig.Type type = DiscoverConfig.Type.SRV;
      int port = 0;
      int weight = 1;
      if (srv) {
        for (String key : List.of("port", "family", "weight")) {
          if (entry.has(key)) {
            entry.error(key, "does not apply to an SRV name: its records carry port, weight and priority");
          }
        }
      } else {
        if (entry.has("port")) {
          port = entry.integer("port", 0, 1, 65535);
        } else {
          entry.error("port", "is required: the backends' port (the A/AAAA records carry only addresses)");
        }
        type = switch (entry.choice("family", Family.class, Family.ANY)) {
          case ANY -> DiscoverConfig.Type.ANY;
          case IPV4 -> DiscoverConfig.Type.IPV4;
          case IPV6 -> DiscoverConfig.Type.IPV6;
        };
        weight = entry.integer("weight", 1, 1, 256);
      }
      int maxConnections = entry.integer("max-connections", 0, 0, Integer.MAX_VALUE);
      Duration min = entry.duration("min-interval", dns.minInterval());
      Duration max = entry.duration("max-interval", dns.maxInterval());
      if (max.compareTo(min) < 0 && (entry.has("min-interval") || entry.has("max-interval"))) {
        entry.error(entry.has("max-interval") ? "max-interval" : "min-interval", "max-interval ("
            + max.toMillis() + "ms) must not be shorter than min-interval (" + min.toMillis() + "ms)");
      }
      Duration grace = entry.value("drain-grace", dns.drainGrace(), DnsReader::grace);
      if (name == null) {
        return null;
      }
      DiscoverConfig config = new DiscoverConfig(type, name, port, weight, maxConnections, min, max, grace);
      Integer first = seen.putIfAbsent(config.key(), position);
      if (first != null) {
        entry.error(srv ? "srv" : "name", "duplicate discover entry " + config.key() + ", also discover[" + first
            + "]");
        return null;
      }
      return config;
    }, "name", "srv", "port", "family", "weight", "max-connections", "min-interval", "max-interval",
        "drain-grace");
  }

  /** Address families of an address name. */
  enum Family { ANY, IPV4, IPV6 }

  /** A DNS name: letters, digits, hyphens and underscores (SRV labels) in dot-separated labels of 1..63. */
  static String name(JsonNode node) {
    String text = Scalars.text(node).toLowerCase(Locale.ROOT);
    String name = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    boolean ok = !name.isEmpty() && name.length() <= MAX_NAME;
    for (String label : name.split("\\.", -1)) {
      ok &= !label.isEmpty() && label.length() <= 63 && label.chars().allMatch(c -> (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9') || c == '-' || c == '_') && !label.startsWith("-") && !label.endsWith("-");
    }
    if (!ok || NetUtil.isValidIpV4Address(name)) {
      throw new IllegalArgumentException("must be a DNS name such as web.example.internal (labels of letters, "
          + "digits, - and _), got " + Scalars.describe(node));
    }
    return name;
  }

  /** A name server: an IP address with an optional port (53). */
  private static InetSocketAddress resolver(JsonNode node) {
    String text = node.isTextual() ? node.textValue() : "";
    String host = text;
    int port = 53;
    if (!NetUtil.isValidIpV4Address(text) && !NetUtil.isValidIpV6Address(text)) {
      Scalars.HostPort hp = Scalars.hostPort(node, 1);
      host = hp.host();
      port = hp.port();
    }
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
    if (ip == null) {
      throw new IllegalArgumentException("must be a name server's IP address with an optional port (10.0.0.2, "
          + "10.0.0.2:5353, [fd00::2]:53), got " + Scalars.describe(node));
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(host, ip), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("invalid address " + Scalars.describe(node), e);
    }
  }

  /** A drain grace: a duration, or {@code 0s} to remove a backend as soon as it leaves the answer. */
  private static Duration grace(JsonNode node) {
    if (node.isTextual() && (node.textValue().equals("0s") || node.textValue().equals("0ms"))) {
      return Duration.ZERO;
    }
    return Scalars.duration(node);
  }
}
