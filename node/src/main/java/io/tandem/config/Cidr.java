package io.tandem.config;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network such as {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address means that address only.
 * Immutable; {@link #contains} is allocation-free and safe on the data path.
 */
public final class Cidr {
  private final byte[] network;
  private final int prefix;
  private final String text;

  private Cidr(byte[] network, int prefix) {
    this.prefix = prefix;
    this.network = mask(network, prefix);
    String address = NetUtil.bytesToIpAddress(this.network);
    this.text = address + "/" + prefix;
  }

  /**
   * Parses {@code 10.0.0.0/8}, {@code 192.0.2.7}, {@code [::1]}, {@code fd00::/8}; never looks a name up.
   *
   * @throws IllegalArgumentException with a message for the configuration error
   */
  public static Cidr parse(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    String address = slash < 0 ? t : t.substring(0, slash);
    if (address.startsWith("[") && address.endsWith("]")) {
      address = address.substring(1, address.length() - 1);
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
    if (bytes == null || !(NetUtil.isValidIpV4Address(address) || NetUtil.isValidIpV6Address(address))) {
      throw new IllegalArgumentException("must be an IP address or network such as 10.0.0.0/8 or fd00::/8, got \""
          + text + "\"");
    }
    int max = bytes.length * 8;
    int prefix = max;
    if (slash >= 0) {
      String bits = t.substring(slash + 1);
      if (!bits.matches("\\d{1,3}") || Integer.parseInt(bits) > max) {
        throw new IllegalArgumentException("prefix length must be 0.." + max + ", got \"" + text + "\"");
      }
      prefix = Integer.parseInt(bits);
    }
    return new Cidr(bytes, prefix);
  }

  /** Whether {@code address} is in this network (an IPv4-mapped IPv6 address counts as its IPv4 address). */
  /** Whether {@code address} is in any of {@code networks}; allocation-free. */
  public static boolean anyContains(java.util.List<Cidr> networks, InetAddress address) {
    for (int i = 0; i < networks.size(); i++) {
      if (networks.get(i).contains(address)) {
        return true;
      }
    }
    return false;
  }

  public boolean contains(InetAddress address) {
    return address != null && contains(address.getAddress());
  }

  boolean contains(byte[] a) {
    if (a.length == 16 && network.length == 4 && isV4Mapped(a)) {
      a = Arrays.copyOfRange(a, 12, 16);
    }
    if (a.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int m = (0xff << (8 - rest)) & 0xff;
    return (a[full] & m) == (network[full] & m);
  }

  private static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  private static byte[] mask(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int bit = prefix; bit < out.length * 8; bit++) {
      out[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** Canonical form, e.g. {@code 10.0.0.0/8}. */
  @Override
  public String toString() {
    return text;
  }
}
