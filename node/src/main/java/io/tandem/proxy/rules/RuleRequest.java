package io.tandem.proxy.rules;

import io.tandem.upstream.RequestView;

/**
 * What a route's actions read from a request, whatever its protocol: the routing view plus the facts variables
 * name. A codec implements it over what it already has; values are asked for only when an action needs them.
 */
public interface RuleRequest extends RequestView {
  /** The request target as sent (path and query). */
  String uri();

  /** The client's address (the peer, or the one a trusted PROXY header named). */
  String clientAddress();

  /** The client's port, or 0 when unknown. */
  int clientPort();

  String requestId();

  /** {@code http} or {@code https}. */
  String scheme();

  /** The subject of the client's TLS certificate (RFC 2253), or null (no TLS, no certificate). */
  String clientCertSubject();
}
