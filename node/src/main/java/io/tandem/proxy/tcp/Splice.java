package io.tandem.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import io.tandem.util.Outcome;

/**
 * Pipes bytes both ways between a client and a backend channel of one event loop, until both directions have ended.
 *
 * <ul>
 *   <li>Back-pressure: when the channel written to is over its write-buffer high-water mark, the side feeding it stops
 *       reading, and reads again when it drains; the proxy holds at most about one high-water mark per direction.</li>
 *   <li>Half-close: a FIN from one side shuts down output towards the other (after what was queued is written), and
 *       the other direction keeps flowing. When both directions have ended, both channels are closed: outcome OK.</li>
 *   <li>A reset or error on one side closes the other (flushing what was queued to the client): CLIENT_ABORTED or
 *       BACKEND_ERROR; the listener's idle timeout closes both: IDLE_TIMEOUT.</li>
 *   <li>Optionally the first client bytes are checked for a PROXY protocol signature (a sender not trusted to send one)
 *       and held until that is decided: PROXY_HEADER_UNTRUSTED.</li>
 * </ul>
 * Never throws, never blocks; {@link Ended} is called exactly once.
 */
final class Splice implements Relay.Events {

  /** Called once when the spliced connection is over (both channels are closed or closing). */
  interface Ended {
    void ended(Outcome outcome, long bytesIn, long bytesOut, Throwable cause);
  }

  private final Relay client;
  private final Relay backend;
  private final Ended ended;
  private long bytesIn;
  private long bytesOut;
  private boolean clientInputDone;
  private boolean backendInputDone;
  private boolean clientOutputShut;
  private boolean backendOutputShut;
  private boolean clientWaits;
  private boolean backendWaits;
  private boolean sniffing;
  private ByteBuf sniffed;
  private boolean over;

  private Splice(Relay client, Relay backend, boolean sniff, Ended ended) {
    this.client = client;
    this.backend = backend;
    this.sniffing = sniff;
    this.ended = ended;
  }

  /**
   * Starts piping. {@code first} (may be null) are client bytes received before the splice (after a PROXY header);
   * {@code clientInputDone} says the client already sent its FIN; {@code sniff} checks the first client bytes for a
   * PROXY signature.
   */
  static Splice start(Relay client, Relay backend, ByteBuf first, boolean clientInputDone, boolean sniff,
      Ended ended) {
    Splice s = new Splice(client, backend, sniff, ended);
    client.events = s;
    backend.events = s;
    if (first != null && first.isReadable()) {
      s.read(client, first);
    } else if (first != null) {
      first.release();
    }
    backend.channel.flush();
    if (clientInputDone) {
      s.inputShutdown(client);
    } else {
      client.channel.read();
    }
    backend.channel.read();
    return s;
  }

  private Relay peer(Relay r) {
    return r == client ? backend : client;
  }

  @Override
  public void read(Relay from, ByteBuf data) {
    if (over) {
      data.release();
      return;
    }
    if (from == client && sniffing) {
      sniff(data);
      return;
    }
    forward(from, data);
  }

  private void forward(Relay from, ByteBuf data) {
    Channel to = peer(from).channel;
    if (from == client) {
      bytesIn += data.readableBytes();
    } else {
      bytesOut += data.readableBytes();
    }
    to.write(data, to.voidPromise());
  }

  private void sniff(ByteBuf data) {
    if (sniffed == null) {
      sniffed = data;
    } else {
      ByteBuf joined = client.channel.alloc().buffer(sniffed.readableBytes() + data.readableBytes());
      joined.writeBytes(sniffed).writeBytes(data);
      sniffed.release();
      data.release();
      sniffed = joined;
    }
    switch (ProxyProtocol.signature(sniffed)) {
      case PRESENT -> {
        sniffed.release();
        sniffed = null;
        end(Outcome.PROXY_HEADER_UNTRUSTED);
      }
      case ABSENT -> releaseSniffed();
      case UNDECIDED -> { }
    }
  }

  /** Stops sniffing and forwards what was held. */
  private void releaseSniffed() {
    sniffing = false;
    ByteBuf held = sniffed;
    sniffed = null;
    if (held != null) {
      forward(client, held);
    }
  }

  /**
   * Reads are requested one at a time (auto-read stays off): after a read, the next one only when the channel written
   * to is below its high-water mark, else when it drains ({@link #writable}).
   */
  @Override
  public void readComplete(Relay from) {
    Channel to = peer(from).channel;
    to.flush();
    if (over) {
      return;
    }
    if (to.isWritable()) {
      from.channel.read();
    } else if (from == client) {
      clientWaits = true;
    } else {
      backendWaits = true;
    }
  }

  @Override
  public void writable(Relay from) {
    if (!from.channel.isWritable() || over) {
      return;
    }
    Relay source = peer(from);
    if (source == client && clientWaits) {
      clientWaits = false;
      client.channel.read();
    } else if (source == backend && backendWaits) {
      backendWaits = false;
      backend.channel.read();
    }
  }

  @Override
  public void inputShutdown(Relay from) {
    if (over) {
      return;
    }
    if (from == client) {
      if (sniffing) {
        releaseSniffed();   // a FIN before a whole signature: what came was not a PROXY header
      }
      clientInputDone = true;
    } else {
      backendInputDone = true;
    }
    Channel to = peer(from).channel;
    // Everything queued towards the peer goes out first, then its output is shut down.
    to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
      if (!f.isSuccess() || !(to instanceof DuplexChannel duplex)) {
        to.close();
        return;
      }
      duplex.shutdownOutput().addListener((ChannelFutureListener) s -> {
        if (from == client) {
          backendOutputShut = true;
        } else {
          clientOutputShut = true;
        }
        if (clientInputDone && backendInputDone && clientOutputShut && backendOutputShut) {
          end(Outcome.OK);
        }
      });
    });
  }

  @Override
  public void closed(Relay from) {
    if (over) {
      return;
    }
    boolean finished = from == client ? clientInputDone && clientOutputShut : backendInputDone && backendOutputShut;
    // A side that had finished both ways and then closed (or reset) is not an error; the other side may still be
    // sending, but there is nobody left to hear it.
    end(finished ? Outcome.OK : from == client ? Outcome.CLIENT_ABORTED : Outcome.BACKEND_ERROR);
  }

  @Override
  public void idle(Relay from) {
    if (!over) {
      end(Outcome.IDLE_TIMEOUT);
    }
  }

  private void end(Outcome outcome) {
    over = true;
    if (sniffed != null) {
      sniffed.release();
      sniffed = null;
    }
    // What was queued for the client still goes out (e.g. the end of a response before a backend reset).
    client.channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    backend.channel.close();
    Throwable cause = client.cause != null ? client.cause : backend.cause;
    ended.ended(outcome, bytesIn, bytesOut, cause);
  }
}
