package io.tandem.vip;

import io.vertx.core.Future;
import java.util.function.Consumer;

/**
 * How VIP liveness beats travel between nodes. {@link UdpHeartbeats} sends UDP datagrams to every other node's
 * cluster address (the same host and port number as its Hazelcast member, over UDP); tests use an in-memory network
 * that can drop or cut links.
 *
 * <p>Example: {@code beats.open(controller::onBeat)}, then {@code beats.send(beat)} every heartbeat interval.
 */
public interface Heartbeats {

  /** Starts receiving; {@code receiver} gets every beat from a configured peer, on the controller's context. */
  Future<Void> open(Consumer<Heartbeat> receiver);

  /** Sends {@code beat} to every other node; never blocks and never throws (a lost beat is what liveness is for). */
  void send(Heartbeat beat);

  /** Stops sending and receiving. */
  Future<Void> close();
}
