package io.tandem.admin;

import io.tandem.cluster.Membership;
import io.tandem.config.AdminConfig;
import io.tandem.config.ClusterConfig;
import io.tandem.config.TandemConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Calls the node-local endpoints ({@code /api/v1/local/...}) of the other live members, in parallel, with the
 * configured token and the fan-out timeout. A member that does not answer in time is reported, never waited for.
 * With admin TLS, peers must present a certificate that the node's own {@code tls.cert} file vouches for (the same
 * certificate, or a CA in that file).
 */
final class PeerClient {
  /** Another live member and its admin address ({@code host:port}), null when it announced none. */
  record Peer(String nodeId, String address) {}

  /** A peer's answer: its status and JSON body. */
  record Reply(int status, JsonObject body) {}

  /** Answers by node id, and the nodes that gave none. */
  record FanOut(Map<String, JsonObject> answers, List<String> unavailable) {}

  private final NodeView node;
  private final HttpClient client;

  PeerClient(Vertx vertx, NodeView node) {
    this.node = node;
    AdminConfig admin = node.config().get().admin();
    HttpClientOptions options = new HttpClientOptions().setKeepAlive(true);
    if (admin.tls() != null) {
      options.setSsl(true).setVerifyHost(false)
          .setTrustOptions(new PemTrustOptions().addCertPath(admin.tls().cert().toString()));
    }
    this.client = vertx.createHttpClient(options);
  }

  /** The other live members, oldest first. */
  List<Peer> peers() {
    Membership membership = node.shared().membership();
    Map<String, Membership.MemberInfo> info = membership.info();
    List<Peer> peers = new ArrayList<>();
    for (Membership.Member m : membership.members()) {
      if (!m.local()) {
        Membership.MemberInfo announced = info.get(m.nodeId());
        String address = announced != null && announced.adminAddress() != null ? announced.adminAddress()
            : configured(m.nodeId());
        peers.add(new Peer(m.nodeId(), address));
      }
    }
    return peers;
  }

  /**
   * A configured node's admin address from the shared configuration file, or null (always, for another member found
   * in DNS: its address is the one it announced).
   */
  String configured(String nodeId) {
    ClusterConfig cluster = node.config().get().cluster();
    if (cluster == null) {
      return null;
    }
    return cluster.nodes().stream().filter(n -> n.id().equals(nodeId) && n.adminHost() != null && n.adminPort() > 0)
        .map(n -> n.adminHost() + ":" + n.adminPort()).findFirst().orElse(null);
  }

  /** One call to one peer; fails when it cannot be reached, times out or answers something other than JSON. */
  Future<Reply> call(Peer peer, HttpMethod method, String path) {
    if (peer.address() == null) {
      return Future.failedFuture("node " + peer.nodeId() + " has no admin address");
    }
    TandemConfig cfg = node.config().get();
    long timeout = cfg.admin().fanOutTimeout().toMillis();
    int colon = peer.address().lastIndexOf(':');
    RequestOptions options = new RequestOptions().setMethod(method)
        .setHost(peer.address().substring(0, colon).replace("[", "").replace("]", ""))
        .setPort(Integer.parseInt(peer.address().substring(colon + 1)))
        .setURI(path).setConnectTimeout(timeout).setTimeout(timeout);
    if (cfg.admin().token() != null) {
      options.putHeader("Authorization", "Bearer " + cfg.admin().token());
    }
    // body() is asked for inside send()'s callback, before the response can end: as a separate step it could come too
    // late when the caller is not on a Vert.x context, and then never complete.
    return client.request(options)
        .compose(req -> req.send()
            .compose(resp -> resp.body().map(body -> new Reply(resp.statusCode(), body.toJsonObject()))));
  }

  /** {@code GET path} on every other live member at once. */
  Future<FanOut> getAll(String path) {
    List<Peer> peers = peers();
    List<Future<Reply>> calls = new ArrayList<>();
    for (Peer p : peers) {
      calls.add(call(p, HttpMethod.GET, path));
    }
    return Future.join(calls).transform(ignored -> {
      Map<String, JsonObject> answers = new LinkedHashMap<>();
      List<String> unavailable = new ArrayList<>();
      for (int i = 0; i < peers.size(); i++) {
        Future<Reply> f = calls.get(i);
        if (f.succeeded() && f.result().status() == 200) {
          answers.put(peers.get(i).nodeId(), f.result().body());
        } else {
          unavailable.add(peers.get(i).nodeId());
        }
      }
      return Future.succeededFuture(new FanOut(answers, unavailable));
    });
  }

  void close() {
    client.close();
  }
}
