package io.tandem.proxy.h3;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys derived from the cluster's QUIC secret, one per use (connection ids, reset tokens, Retry tokens, relayed
 * packets), each an HMAC-SHA256. A {@link Mac} is not thread-safe: each thread gets its own copies.
 */
final class Keys {
  enum Use { CONNECTION_ID, RESET_TOKEN, RETRY_TOKEN, RELAY, SESSION_TICKET }

  private final SecretKeySpec[] keys = new SecretKeySpec[Use.values().length];
  private final ThreadLocal<Mac[]> macs = ThreadLocal.withInitial(() -> new Mac[Use.values().length]);

  Keys(byte[] secret) {
    for (Use use : Use.values()) {
      keys[use.ordinal()] = new SecretKeySpec(derive(secret, use), "HmacSHA256");
    }
  }

  /** The MAC for {@code use}, reset, for this thread. */
  Mac mac(Use use) {
    Mac[] mine = macs.get();
    Mac m = mine[use.ordinal()];
    if (m == null) {
      m = newMac(keys[use.ordinal()]);
      mine[use.ordinal()] = m;
    } else {
      m.reset();
    }
    return m;
  }

  /**
   * The TLS session ticket key of the QUIC listeners, the same on every node: a client resumes (and sends 0-RTT
   * data) on whichever node it reaches next. It lives as long as the cluster's secret.
   */
  io.netty.handler.codec.quic.SslSessionTicketKey ticketKey() {
    byte[][] parts = new byte[3][];
    String[] labels = {"name", "hmac", "aes"};
    for (int i = 0; i < 3; i++) {
      Mac m = mac(Use.SESSION_TICKET);
      parts[i] = java.util.Arrays.copyOf(m.doFinal(labels[i].getBytes(StandardCharsets.US_ASCII)), 16);
    }
    return new io.netty.handler.codec.quic.SslSessionTicketKey(parts[0], parts[1], parts[2]);
  }

  private static byte[] derive(byte[] secret, Use use) {
    Mac m = newMac(new SecretKeySpec(secret, "HmacSHA256"));
    return m.doFinal(("tandem-quic " + use.name()).getBytes(StandardCharsets.US_ASCII));
  }

  private static Mac newMac(SecretKeySpec key) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(key);
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
