package io.tandem.config;

/**
 * Which PROXY protocol header (HAProxy's, versions 1 and 2) a TCP listener sends to a pool's backends before the
 * client's first byte, so that they see the client address. YAML {@code proxy-protocol: none | v1 | v2} on a pool.
 */
public enum ProxyProtocolVersion {
  /** Nothing is sent. */
  NONE,
  /** The text form: {@code PROXY TCP4 192.0.2.1 198.51.100.2 51234 443\r\n}. */
  V1,
  /** The binary form with its 12-byte signature. */
  V2
}
