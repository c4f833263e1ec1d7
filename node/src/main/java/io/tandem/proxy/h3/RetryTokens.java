package io.tandem.proxy.h3;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.quic.QuicTokenHandler;
import io.tandem.config.ListenerConfig;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import javax.crypto.Mac;

/**
 * Address validation with Retry packets (RFC 9000 8.1.2): a new connection's first Initial is answered with a Retry
 * carrying a token that only the client's address can bring back within {@value #LIFETIME_MILLIS} ms, so no state is
 * kept for a spoofed source. Whether to ask is {@code http3.retry}: always, never, or {@code auto}, while more than
 * {@code retry-threshold} handshakes are in progress. The token is keyed by the cluster secret, so the node that
 * sees the second Initial need not be the one that sent the Retry.
 *
 * <pre>
 *   version(1) = 1 | issued at, ms (8) | HMAC(retry key, issued | address | port | odcid)[0..16] | odcid
 * </pre>
 *
 * Called on the listener's event loop.
 */
final class RetryTokens implements QuicTokenHandler {
  static final long LIFETIME_MILLIS = 10_000;
  private static final int MAC_LENGTH = 16;
  private static final int HEADER = 1 + 8 + MAC_LENGTH;

  private final Keys keys;
  private final ListenerConfig.Http3.Retry mode;
  private final int threshold;
  private final IntSupplier handshakes;
  private final LongSupplier wallMillis;   // wall time: the token may come back to another node
  private final Runnable retried;

  RetryTokens(Keys keys, ListenerConfig.Http3 config, IntSupplier handshakes, LongSupplier wallMillis,
      Runnable retried) {
    this.keys = keys;
    this.mode = config.retry();
    this.threshold = config.retryThreshold();
    this.handshakes = handshakes;
    this.wallMillis = wallMillis;
    this.retried = retried;
  }

  @Override
  public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
    boolean ask = switch (mode) {
      case ALWAYS -> true;
      case NEVER -> false;
      case AUTO -> handshakes.getAsInt() > threshold;
    };
    if (!ask) {
      return false;
    }
    long issued = wallMillis.getAsLong();
    out.writeByte(1);
    out.writeLong(issued);
    out.writeBytes(mac(issued, address, dcid, dcid.readerIndex(), dcid.readableBytes()), 0, MAC_LENGTH);
    out.writeBytes(dcid, dcid.readerIndex(), dcid.readableBytes());
    retried.run();
    return true;
  }

  @Override
  public int validateToken(ByteBuf token, InetSocketAddress address) {
    int start = token.readerIndex();
    int length = token.readableBytes();
    if (length < HEADER || length > maxTokenLength() || token.getByte(start) != 1) {
      return -1;
    }
    long issued = token.getLong(start + 1);
    long age = wallMillis.getAsLong() - issued;
    if (age < 0 || age > LIFETIME_MILLIS) {
      return -1;
    }
    byte[] expected = mac(issued, address, token, start + HEADER, length - HEADER);
    byte[] got = new byte[MAC_LENGTH];
    token.getBytes(start + 9, got);
    if (!MessageDigest.isEqual(got, java.util.Arrays.copyOf(expected, MAC_LENGTH))) {
      return -1;
    }
    return HEADER;
  }

  private byte[] mac(long issued, InetSocketAddress address, ByteBuf odcid, int index, int length) {
    Mac m = keys.mac(Keys.Use.RETRY_TOKEN);
    for (int i = 56; i >= 0; i -= 8) {
      m.update((byte) (issued >>> i));
    }
    m.update(address.getAddress().getAddress());
    m.update((byte) (address.getPort() >>> 8));
    m.update((byte) address.getPort());
    byte[] id = new byte[length];
    odcid.getBytes(index, id);
    m.update(id);
    return m.doFinal();
  }

  @Override
  public int maxTokenLength() {
    return HEADER + ConnectionIds.LENGTH;
  }
}
