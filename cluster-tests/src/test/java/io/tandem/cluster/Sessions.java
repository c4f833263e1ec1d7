package io.tandem.cluster;

import io.tandem.testing.Action;
import io.tandem.testing.FakeBackend;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * An application with sessions, and a client of it: {@code GET /login<id>} on a backend answers with
 * {@code Set-Cookie: JSESSIONID=<id>} (Tandem learns the binding), every other path echoes; each answer names its
 * backend in {@code X-Backend}.
 */
public final class Sessions {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** Makes {@code backend} the application: logins set the session cookie, anything else echoes. */
  public static void serveLogins(FakeBackend backend) {
    backend.behavior(req -> req.uri().startsWith("/login")
        ? c -> c.respond(200, List.of("Set-Cookie: JSESSIONID=" + req.uri().substring("/login".length())
            + "; Path=/", "X-Backend: " + c.backendName()), Buffer.buffer("ok"))
        : Action.echo());
  }

  /** GET through a node's HTTP port, with an optional session. */
  public HttpResponse<String> get(int port, String path, String session) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10));
    if (session != null) {
      b.header("Cookie", "JSESSIONID=" + session);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Logs session {@code id} in through a node; returns the backend that now holds it. */
  public String login(int port, String id) throws Exception {
    return backendOf(get(port, "/login" + id, null));
  }

  /** The backend a session's request goes to through a node. */
  public String backendFor(int port, String id) throws Exception {
    return backendOf(get(port, "/cart", id));
  }

  public static String backendOf(HttpResponse<String> response) {
    return response.headers().firstValue("x-backend").orElseThrow(
        () -> new AssertionError("no X-Backend: status " + response.statusCode() + " " + response.body()));
  }

  public HttpClient http() {
    return http;
  }
}
