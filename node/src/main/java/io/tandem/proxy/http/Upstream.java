package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.function.Consumer;

/**
 * The backend side of one exchange on Tandem's own HTTP/1.1 path, spoken in HTTP/1.1 bytes both ways: the exchange
 * writes the request's head and body as they go to an HTTP/1.1 backend, and hears the response through
 * {@link Http1Upstream.Owner} as heads and body slices. {@link Http1Upstream} is a connection to an HTTP/1.1 backend;
 * {@link H2Upstream} carries the same exchange on a stream of an HTTP/2 backend connection, translating both ways, so
 * the exchange's decisions (limits, rules, retries, time-outs, compression) are the same for both. Event-loop
 * confined.
 */
interface Upstream {
  /** Starts an exchange; {@code isHead}: the response has no body whatever it says. */
  void begin(Http1Upstream.Owner owner, boolean isHead);

  void write(ByteBuf buf);

  void writeAndFlush(ByteBuf buf);

  void flush();

  boolean writable();

  /** Stops or resumes reading the response (back-pressure from the client). */
  void pauseReading(boolean pause);

  /** The owner took the held response head in: the body may follow. */
  void resume();

  /** From now on every byte from the backend goes to {@code sink} (after a 101). */
  void tunnel(Consumer<ByteBuf> sink);

  /** The exchange ended without a clean response: nothing of it is reused. */
  void discard();

  /** After a clean exchange: kept for the next one when {@code reuse}, else closed. */
  void release(boolean reuse);

  /** The backend connection (a tunnel takes it over), or null when the exchange is a stream of a shared one. */
  Channel channel();

  /** Whether the connection carried exchanges before (a failure before any byte may then be a stale close). */
  boolean reused();
}
