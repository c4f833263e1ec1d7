package io.tandem.testing;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls one node's admin API over real HTTP, as curl would; shared with cluster-tests. */
public final class AdminClient {
  private final HttpClient http;
  private final String base;
  private final String token;

  /** The answer: status, raw text, JSON body (null when the text is not a JSON object) and the response. */
  public record Answer(int status, String text, JsonObject json, HttpResponse<String> response) {
    public String error() {
      return json == null ? null : json.getString("error");
    }
  }

  public AdminClient(int port, String token) {
    this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), "http://127.0.0.1:" + port, token);
  }

  public AdminClient(HttpClient http, String base, String token) {
    this.http = http;
    this.base = base;
    this.token = token;
  }

  /** The same node, calling with another token (null: none). */
  public AdminClient withToken(String other) {
    return new AdminClient(http, base, other);
  }

  public Answer get(String path) {
    return send("GET", path, null);
  }

  public Answer post(String path) {
    return send("POST", path, null);
  }

  public Answer post(String path, String body) {
    return send("POST", path, body);
  }

  public Answer put(String path, String body) {
    return send("PUT", path, body);
  }

  public Answer delete(String path) {
    return send("DELETE", path, null);
  }

  public Answer send(String method, String path, String body) {
    return send(method, path, body, token == null ? null : "Bearer " + token);
  }

  /** With an explicit Authorization header value (null: none). */
  public Answer send(String method, String path, String body, String authorization) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonObject json = null;
      if (r.body().startsWith("{")) {
        json = new JsonObject(r.body());
      }
      return new Answer(r.statusCode(), r.body(), json, r);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
