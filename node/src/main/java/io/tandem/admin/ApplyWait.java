package io.tandem.admin;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Waits until every live node has applied a state version: this node through its registry, the others by asking
 * their {@code /api/v1/local/stats} every 50 ms. Members that leave meanwhile are no longer waited for; members
 * without an admin address cannot be asked and are reported as unavailable.
 */
final class ApplyWait {
  private static final long POLL_MILLIS = 50;

  /** Which nodes applied the version, which had not when the wait ended, and which could not be asked. */
  record Result(List<String> applied, List<String> pending, List<String> unavailable) {}

  private final Vertx vertx;
  private final NodeView node;
  private final PeerClient peers;

  ApplyWait(Vertx vertx, NodeView node, PeerClient peers) {
    this.vertx = vertx;
    this.node = node;
    this.peers = peers;
  }

  /**
   * Sends a change's answer: {@code body} with the nodes that applied it, those still pending and those that could
   * not be asked; 504 naming the pending ones when the wait ended before every node applied it, else {@code status}.
   */
  static void answer(io.vertx.ext.web.RoutingContext ctx, NodeView node, int status, io.vertx.core.json.JsonObject body,
      Result r) {
    body.put("applied", Json.array(r.applied().stream().sorted().toList()))
        .put("pending", Json.array(r.pending())).put("unavailable", Json.array(r.unavailable()));
    if (!r.pending().isEmpty()) {
      body.put("error", "not applied by " + String.join(", ", r.pending()) + " within "
          + node.config().get().admin().applyTimeout().toMillis() + " ms");
      Json.send(ctx, 504, body);
    } else {
      Json.send(ctx, status, body);
    }
  }

  Future<Result> until(long version) {
    Promise<Result> done = Promise.promise();
    long deadline = System.nanoTime() + node.config().get().admin().applyTimeout().toNanos();
    poll(version, deadline, new LinkedHashSet<>(), done);
    return done.future();
  }

  private void poll(long version, long deadline, Set<String> applied, Promise<Result> done) {
    if (node.registry().appliedVersion() >= version) {
      applied.add(node.nodeId());
    }
    List<PeerClient.Peer> live = peers.peers();
    List<String> unavailable = new ArrayList<>();
    List<PeerClient.Peer> ask = new ArrayList<>();
    for (PeerClient.Peer p : live) {
      if (p.address() == null) {
        unavailable.add(p.nodeId());
      } else if (!applied.contains(p.nodeId())) {
        ask.add(p);
      }
    }
    List<Future<PeerClient.Reply>> replies = new ArrayList<>();
    ask.forEach(p -> replies.add(peers.call(p, HttpMethod.GET, "/api/v1/local/stats")));
    Future.join(replies).onComplete(ignored -> {
      for (int i = 0; i < ask.size(); i++) {
        Future<PeerClient.Reply> r = replies.get(i);
        if (r.succeeded() && r.result().status() == 200
            && r.result().body().getLong("appliedVersion", 0L) >= version) {
          applied.add(ask.get(i).nodeId());
        }
      }
      List<String> pending = new ArrayList<>();
      if (!applied.contains(node.nodeId())) {
        pending.add(node.nodeId());
      }
      ask.stream().map(PeerClient.Peer::nodeId).filter(id -> !applied.contains(id)).forEach(pending::add);
      List<String> stillLive = new ArrayList<>(List.of(node.nodeId()));
      live.forEach(p -> stillLive.add(p.nodeId()));
      applied.retainAll(stillLive);
      if (pending.isEmpty() || System.nanoTime() >= deadline) {
        done.complete(new Result(List.copyOf(applied), pending, unavailable));
      } else {
        vertx.setTimer(POLL_MILLIS, t -> poll(version, deadline, applied, done));
      }
    });
  }
}
