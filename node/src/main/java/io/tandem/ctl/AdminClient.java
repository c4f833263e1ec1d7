package io.tandem.ctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.tls.CaTrust;
import io.tandem.tls.pem.CertificateProblem;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilderException;
import java.time.Instant;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** A blocking client of one node's admin API ({@code /api/v1/...}), for {@code tandem ctl}. */
final class AdminClient {
  static final ObjectMapper JSON = new ObjectMapper();

  /** An answer of the API: its status, raw body and the body parsed (null when it is not JSON). */
  record Answer(int status, String body, JsonNode json) {
    boolean ok() {
      return status >= 200 && status < 300;
    }

    /** The API's {@code error} message, or a description of the status when there is none. */
    String error() {
      JsonNode error = json == null ? null : json.get("error");
      String message = error == null || error.isNull() ? "the admin API answered HTTP " + status : error.asText();
      JsonNode field = json == null ? null : json.get("field");
      return field == null || field.isNull() ? message : message + " (field " + field.asText() + ")";
    }
  }

  /** The admin API could not be reached, or what answered is not the admin API. */
  static final class UnreachableException extends Exception {
    UnreachableException(String message) {
      super(message);
    }
  }

  /** The CA certificates of {@code file} (PEM), trusted instead of the JVM's trust store. */
  record Trust(Path file, SSLContext context) {
    static Trust of(Path file) throws CertificateProblem {
      try {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, CaTrust.load(file, "cacert", Instant.now()).getTrustManagers(), null);
        return new Trust(file, context);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("no TLS in this JVM", e);
      }
    }
  }

  private final URI base;
  private final String token;
  private final Trust trust;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param base  the admin listener, e.g. {@code http://127.0.0.1:9091}
   * @param token null to send none
   * @param trust null to trust what the JVM trusts
   */
  AdminClient(URI base, String token, Trust trust, Duration timeout) {
    this.base = base;
    this.token = token;
    this.trust = trust;
    this.timeout = timeout;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1);
    if (trust != null) {
      builder.sslContext(trust.context());
    }
    this.http = builder.build();
  }

  Answer get(String path) throws UnreachableException {
    return send(request(path).GET());
  }

  Answer post(String path) throws UnreachableException {
    return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
  }

  Answer put(String path, JsonNode body) throws UnreachableException {
    try {
      return send(request(path).header("Content-Type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve("/api/v1" + path)).timeout(timeout)
        .header("Accept", "application/json");
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    return builder;
  }

  private Answer send(HttpRequest.Builder builder) throws UnreachableException {
    HttpResponse<String> response;
    try {
      response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UnreachableException("cannot reach the admin API at " + base + ": " + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnreachableException("interrupted while calling the admin API at " + base);
    }
    JsonNode json;
    try {
      json = response.body().isBlank() ? null : JSON.readTree(response.body());
    } catch (JsonProcessingException e) {
      json = null;
    }
    if (json == null && response.statusCode() < 300) {
      throw new UnreachableException("what answers at " + base + " is not the Tandem admin API (HTTP "
          + response.statusCode() + " without JSON)");
    }
    return new Answer(response.statusCode(), response.body(), json);
  }

  private String describe(IOException e) {
    if (e instanceof HttpConnectTimeoutException) {
      return "no connection within " + timeout.toMillis() + " ms";
    }
    if (e instanceof HttpTimeoutException) {
      return "no answer within " + timeout.toMillis() + " ms";
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof CertPathBuilderException) {
        return trust == null
            ? "its certificate is not trusted (not signed by a CA in the JVM's trust store; give the CA with --cacert)"
            : "its certificate is not signed by a CA in " + trust.file();
      }
      if (c instanceof ConnectException) {
        return "connection refused";
      }
      if (c instanceof UnresolvedAddressException) {
        return "unknown host";
      }
    }
    Throwable cause = e;
    while (cause.getCause() != null && cause.getMessage() == null) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }
}
