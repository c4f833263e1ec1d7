package io.tandem.proxy.h3;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.quic.QuicConnectionIdGenerator;
import io.netty.handler.codec.quic.QuicResetTokenGenerator;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;

/**
 * The connection ids a node issues, and their stateless-reset tokens. Every id carries the issuing node's server id,
 * hidden and authenticated, so that any node of the cluster can tell whose connection a packet belongs to:
 *
 * <pre>
 *   byte  0       random, but for its lowest bit: 1 on a connection's first id (the one the handshake gives)
 *   bytes 1..13   nonce (random, or derived from the client's id for a repeated Initial)
 *   bytes 14..15  server id XOR h[0..1]
 *   bytes 16..19  h[2..5]                      where h = HMAC(key, bytes 0..13)
 * </pre>
 *
 * An id that does not check (a client's own Initial id, another cluster's, noise) decodes to {@link #NOT_OURS}, so a
 * random id is taken for another node's only once in 2^32. Any node can answer for a node that is gone with the id's
 * stateless-reset token: HMAC(reset key, id) for the ids issued later (NEW_CONNECTION_ID), and for a first id the
 * cluster's {@link #firstIdToken()}, since quiche announces one token per server configuration in the handshake's
 * transport parameters (hence the marker bit). Thread-safe (the MACs are per thread).
 */
public final class ConnectionIds implements QuicConnectionIdGenerator, QuicResetTokenGenerator {
  /** The length of the ids Tandem issues (QUIC's maximum). */
  public static final int LENGTH = 20;
  /** {@link #serverId} of an id Tandem's cluster did not issue. */
  public static final int NOT_OURS = -1;
  private static final int NONCE_END = 14;
  private static final int TOKEN_LENGTH = 16;
  private static final int FIRST = 0x01;

  private final Keys keys;
  private final int serverId;
  private final SecureRandom random = new SecureRandom();

  ConnectionIds(Keys keys, int serverId) {
    if (serverId < 1 || serverId > 0xFFFF) {
      throw new IllegalArgumentException("server id must be 1..65535, got " + serverId);
    }
    this.keys = keys;
    this.serverId = serverId;
  }

  int ownServerId() {
    return serverId;
  }

  @Override
  public ByteBuffer newId(int length) {
    byte[] id = new byte[LENGTH];
    byte[] nonce = new byte[NONCE_END];
    random.nextBytes(nonce);
    nonce[0] &= ~FIRST;
    return ByteBuffer.wrap(seal(id, nonce), 0, checkLength(length));
  }

  /** A connection's first id (Netty asks with both of the client's ids): marked, derived from the client's. */
  @Override
  public ByteBuffer newId(ByteBuffer scid, ByteBuffer dcid, int length) {
    return derived(dcid, length, true);
  }

  /** Derived from {@code input} (the client's Initial id): a repeated Initial gets the same id. */
  @Override
  public ByteBuffer newId(ByteBuffer input, int length) {
    return derived(input, length, false);
  }

  private ByteBuffer derived(ByteBuffer input, int length, boolean first) {
    Mac m = keys.mac(Keys.Use.CONNECTION_ID);
    m.update((byte) 'n');
    m.update(input.duplicate());
    byte[] nonce = Arrays.copyOf(m.doFinal(), NONCE_END);
    nonce[0] = (byte) (first ? nonce[0] | FIRST : nonce[0] & ~FIRST);
    return ByteBuffer.wrap(seal(new byte[LENGTH], nonce), 0, checkLength(length));
  }

  /** The reset token the handshake announces for every connection's first id (the same on every node). */
  public byte[] firstIdToken() {
    Mac m = keys.mac(Keys.Use.RESET_TOKEN);
    m.update("first connection id".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    return Arrays.copyOf(m.doFinal(), TOKEN_LENGTH);
  }

  private byte[] seal(byte[] id, byte[] nonce) {
    System.arraycopy(nonce, 0, id, 0, NONCE_END);
    byte[] h = tag(id);
    id[14] = (byte) ((serverId >>> 8) ^ h[0]);
    id[15] = (byte) (serverId ^ h[1]);
    System.arraycopy(h, 2, id, 16, 4);
    return id;
  }

  private byte[] tag(byte[] id) {
    Mac m = keys.mac(Keys.Use.CONNECTION_ID);
    m.update(id, 0, NONCE_END);
    return m.doFinal();
  }

  private static int checkLength(int length) {
    if (length != LENGTH) {
      throw new IllegalArgumentException("connection ids are " + LENGTH + " bytes, asked for " + length);
    }
    return length;
  }

  @Override
  public int maxConnectionIdLength() {
    return LENGTH;
  }

  @Override
  public boolean isIdempotent() {
    return true;
  }

  /**
   * The server id in the {@value #LENGTH} bytes of {@code buf} at {@code index}, or {@link #NOT_OURS}.
   */
  public int serverId(ByteBuf buf, int index) {
    if (buf.writerIndex() - index < LENGTH) {
      return NOT_OURS;
    }
    byte[] id = new byte[LENGTH];
    buf.getBytes(index, id);
    return serverId(id);
  }

  int serverId(byte[] id) {
    if (id.length != LENGTH) {
      return NOT_OURS;
    }
    byte[] h = tag(id);
    for (int i = 0; i < 4; i++) {
      if (id[16 + i] != h[2 + i]) {
        return NOT_OURS;
      }
    }
    return ((id[14] ^ h[0]) & 0xFF) << 8 | ((id[15] ^ h[1]) & 0xFF);
  }

  @Override
  public ByteBuffer newResetToken(ByteBuffer cid) {
    byte[] id = new byte[cid.remaining()];
    cid.duplicate().get(id);
    return ByteBuffer.wrap(token(id));
  }

  private byte[] token(byte[] id) {
    if (id.length > 0 && (id[0] & FIRST) != 0) {
      return firstIdToken();
    }
    Mac m = keys.mac(Keys.Use.RESET_TOKEN);
    m.update(id);
    return Arrays.copyOf(m.doFinal(), TOKEN_LENGTH);
  }

  /** The reset token of the id in {@code buf} at {@code index} ({@value #LENGTH} bytes), into {@code out}. */
  void resetToken(ByteBuf buf, int index, byte[] out, int offset) {
    byte[] id = new byte[LENGTH];
    buf.getBytes(index, id);
    System.arraycopy(token(id), 0, out, offset, TOKEN_LENGTH);
  }

  static int tokenLength() {
    return TOKEN_LENGTH;
  }
}
