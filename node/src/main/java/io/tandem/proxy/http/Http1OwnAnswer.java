package io.tandem.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.tandem.config.ErrorPage;
import io.tandem.proxy.h1.RequestHead;
import io.tandem.proxy.rules.Answer;
import io.tandem.proxy.rules.Rules;
import io.tandem.util.Outcome;
import java.util.List;

/**
 * The answers an {@link Http1Exchange} gives itself, with no backend's: refusals of bad framing or size, errors for an
 * {@link Outcome} (with the route's error page), a route action's answer, and the redirect to HTTPS. Each decides
 * whether the client connection can carry another request afterwards. Static, on the exchange's own fields: the data
 * path allocates nothing more for it.
 */
final class Http1OwnAnswer {
  private Http1OwnAnswer() {
  }

  /** Refuses a request whose framing or size is not acceptable; the connection closes after the answer. */
  static void reject(Http1Exchange ex, Outcome outcome, String why) {
    Http1Exchange.LOG.debug("refused request from {}: {}", ex.clientIp, why);
    ex.bodyDone = false;   // whatever follows on the connection can no longer be trusted
    fail(ex, outcome);
  }

  /** Answers with Tandem's own status for {@code outcome} ({@code extra}: header names and values). */
  static void fail(Http1Exchange ex, Outcome outcome, String... extra) {
    if (ex.finished) {
      return;
    }
    Channel client = ex.client;
    if (ex.responseStarted) {
      Http1Outcomes.finish(ex, outcome, outcome.status());
      client.close();
      return;
    }
    String hsts = ex.listener.hsts();
    if (hsts != null) {
      String[] more = java.util.Arrays.copyOf(extra, extra.length + 2);
      more[extra.length] = "strict-transport-security";
      more[extra.length + 1] = hsts;
      extra = more;
    }
    RequestHead head = ex.head;
    boolean close = !ex.bodyDone || !head.keepAlive() || head.versionMinor() == 0 || ex.conn.draining();
    ErrorPage page = Rules.page(ex.route, ex.lc.errorPages(), outcome.status());
    ByteBuf out = OwnAnswers.bytes(client.alloc(), outcome, page, ex.requestId, close, extra);
    ex.ownBytes = page == null ? OwnAnswers.body(outcome).length() : page.body().length();   // before the access log
    Http1Outcomes.finish(ex, outcome, outcome.status());
    client.writeAndFlush(out, client.voidPromise());
    ex.conn.exchangeEnded(!close);
  }

  /** Sends the answer a route's action made (refusal, redirect, fixed answer, CORS preflight); no backend is asked. */
  static void answer(Http1Exchange ex, Answer a) {
    RequestHead head = ex.head;
    Channel client = ex.client;
    // A body not read yet leaves the connection unusable: close it after the answer.
    boolean close = ex.bodyKind != Http1Exchange.BodyKind.NONE || !head.keepAlive() || head.versionMinor() == 0
        || ex.conn.draining();
    Answer sent = OwnAnswers.withPage(a, Rules.page(ex.route, ex.lc.errorPages(), 403));
    String hsts = ex.listener.hsts();
    List<String> extra = hsts == null ? List.of() : List.of("strict-transport-security", hsts);
    ByteBuf out = OwnAnswers.bytes(client.alloc(), sent, ex.requestId, close, extra, head.isHead());
    ex.ownBytes = head.isHead() ? 0 : sent.body().length();
    ex.counts().answered(a.outcome());
    Http1Outcomes.finish(ex, a.outcome(), a.status());
    client.writeAndFlush(out, client.voidPromise());
    ex.conn.exchangeEnded(!close);
  }

  /** The listener's {@code redirect-to-https}: a 308 to the same host and URI on {@code httpsPort}. */
  static void redirect(Http1Exchange ex, int httpsPort) {
    RequestHead head = ex.head;
    Channel client = ex.client;
    ListenerRuntime listener = ex.listener;
    boolean close = ex.bodyKind != Http1Exchange.BodyKind.NONE || !head.keepAlive() || head.versionMinor() == 0
        || ex.conn.draining();
    String host = head.host();
    String location = HttpsRedirect.location(host == null || host.isEmpty() ? ex.lc.host()
        : io.tandem.util.HostHeader.withoutPort(host), httpsPort, head.uri());
    listener.record(Outcome.REDIRECTED);
    ex.finished = true;
    if (listener.accessLog()) {
      AccessLog.log(listener.name(), ex.clientIp, head.method(), head.uri(), 308, Outcome.REDIRECTED, null, null, 0,
          null, 0, null);
    }
    client.writeAndFlush(HttpsRedirect.bytes(client.alloc(), location, close), client.voidPromise());
    ex.conn.exchangeEnded(!close);
  }
}
