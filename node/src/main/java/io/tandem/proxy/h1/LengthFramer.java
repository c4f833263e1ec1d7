package io.tandem.proxy.h1;

import io.netty.buffer.ByteBuf;

/** Counts a {@code Content-Length} body as it passes: where it ends in the input, and how much is left. */
public final class LengthFramer {
  private long remaining;

  public LengthFramer(long length) {
    this.remaining = length;
  }

  /** How many of {@code buf}'s readable bytes belong to the body (the reader index is not moved). */
  public int scan(ByteBuf buf) {
    int n = (int) Math.min(remaining, buf.readableBytes());
    remaining -= n;
    return n;
  }

  public boolean done() {
    return remaining == 0;
  }

  public long remaining() {
    return remaining;
  }
}
