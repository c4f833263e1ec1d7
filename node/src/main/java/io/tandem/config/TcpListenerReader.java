package io.tandem.config;

import java.time.Duration;
import java.util.List;

/** Reads what only {@code tcp} listeners have, and refuses what belongs to the other protocol. */
final class TcpListenerReader {
  /** Keys of an HTTP listener that mean nothing on a TCP listener. */
  private static final List<String> HTTP_ONLY = List.of("default-pool", "routes", "trust-forwarded", "limits",
      "redirect-to-https", "actions", "error-pages", "client-address", "h2c", "http2", "http3");
  private static final List<String> HTTP_ONLY_TIMEOUTS = List.of("request-header", "request-body");
  /** Keys of a TCP listener that mean nothing on an HTTP listener. */
  private static final List<String> TCP_ONLY = List.of("pool");

  private TcpListenerReader() {}

  /** Records an error for each key of {@code listener} (and its {@code timeouts}) that {@code protocol} does not use. */
  static void refuseOtherProtocolKeys(YamlMap listener, YamlMap timeouts, Protocol protocol) {
    boolean tcp = protocol == Protocol.TCP;
    String is = " listeners; this listener is " + Scalars.spelling(protocol);
    for (String key : tcp ? HTTP_ONLY : TCP_ONLY) {
      if (listener.has(key)) {
        listener.error(key, "applies only to " + (tcp ? "http" : "tcp") + is
            + (key.equals("default-pool") ? " (a tcp listener names its pool with pool)" : ""));
      }
    }
    if (tcp) {
      for (String key : HTTP_ONLY_TIMEOUTS) {
        if (timeouts.has(key)) {
          timeouts.error(key, "applies only to http" + is + " (it has timeouts.idle)");
        }
      }
    }
  }

  /** The listener's {@code proxy-protocol} setting; off when absent. */
  static ProxyProtocolAccept accept(YamlMap listener) {
    if (!listener.has("proxy-protocol")) {
      return ProxyProtocolAccept.OFF;
    }
    YamlMap pp = listener.map("proxy-protocol", "accept", "trusted", "timeout");
    boolean accept = pp.bool("accept", false);
    List<Cidr> trusted = pp.scalars("trusted", node -> Cidr.parse(Scalars.text(node)));
    Duration timeout = pp.duration("timeout", ProxyProtocolAccept.DEFAULT_TIMEOUT);
    if (accept && trusted.isEmpty() && !pp.has("trusted")) {
      pp.error("trusted", "is required with accept: true: the addresses or networks (e.g. 10.0.0.0/8) of the"
          + " balancers allowed to send PROXY headers");
    } else if (!accept && pp.has("trusted")) {
      pp.error("trusted", "needs accept: true");
    }
    return new ProxyProtocolAccept(accept, trusted, timeout);
  }
}
