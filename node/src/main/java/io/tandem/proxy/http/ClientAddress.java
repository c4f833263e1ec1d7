package io.tandem.proxy.http;

import io.netty.util.NetUtil;
import io.tandem.config.ClientAddressConfig;
import java.net.InetAddress;

/** Reads the real client's address from a trusted proxy's header ({@link ClientAddressConfig}). */
final class ClientAddress {
  private ClientAddress() {}

  /**
   * The client's address: {@code peer} itself unless {@code config} is set and trusts it; then the rightmost address
   * of {@code value} that is not trusted (the leftmost when all are), or {@code peer} when the header is absent or
   * holds no address. Never throws for bad input.
   */
  static String of(ClientAddressConfig config, String peer, String value) {
    if (config == null || value == null) {
      return peer;
    }
    InetAddress p = NetUtil.createInetAddressFromIpAddressString(peer);
    if (p == null || !config.trusts(p)) {
      return peer;
    }
    String[] hops = value.split(",");
    String leftmost = null;
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = strip(hops[i].trim());
      InetAddress a = NetUtil.createInetAddressFromIpAddressString(hop);
      if (a == null) {
        return leftmost != null ? leftmost : peer;   // garbage ends the trusted chain
      }
      leftmost = a.getHostAddress();
      if (!config.trusts(a)) {
        return leftmost;
      }
    }
    return leftmost != null ? leftmost : peer;
  }

  /** {@code [::1]:80} or {@code 10.0.0.1:80} without the port and brackets. */
  private static String strip(String hop) {
    if (hop.startsWith("[")) {
      int close = hop.indexOf(']');
      return close < 0 ? hop : hop.substring(1, close);
    }
    int colon = hop.indexOf(':');
    return colon > 0 && colon == hop.lastIndexOf(':') ? hop.substring(0, colon) : hop;
  }
}
