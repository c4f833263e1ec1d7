package io.tandem.tls;

import io.tandem.util.Scheduler;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What a node lends its TLS listeners for fetching OCSP responses: an HTTP client and a scheduler whose tasks run off
 * the event loops (a Vert.x worker context). One per node.
 *
 * <p>Example: {@code OcspServices.create(new VertxScheduler(vertxInternal.createWorkerContext()))}.
 */
public final class OcspServices {
  /** How long one request to a responder may take, connecting included. */
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_RESPONSE_BYTES = 64 * 1024;

  private final OcspStapler.Fetch fetch;
  private final Scheduler scheduler;

  OcspServices(OcspStapler.Fetch fetch, Scheduler scheduler) {
    this.fetch = fetch;
    this.scheduler = scheduler;
  }

  /** POSTs to responders with the JDK's HTTP client; refreshes on {@code scheduler}. */
  public static OcspServices create(Scheduler scheduler) {
    return new OcspServices(http(TIMEOUT), scheduler);
  }

  OcspStapler.Fetch fetch() {
    return fetch;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  /**
   * POSTs with the JDK's HTTP client (HTTP/1.1, as responders speak), {@code timeout} per request. The client (and
   * its selector thread) is made at the first fetch: most nodes never staple.
   */
  private static OcspStapler.Fetch http(Duration timeout) {
    Supplier<HttpClient> client = new Supplier<>() {
      private HttpClient made;

      @Override
      public synchronized HttpClient get() {
        if (made == null) {
          made = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
              .followRedirects(HttpClient.Redirect.NEVER).build();
        }
        return made;
      }
    };
    return (responder, request) -> client.get().sendAsync(HttpRequest.newBuilder(responder).timeout(timeout)
            .header("Content-Type", "application/ocsp-request").header("Accept", "application/ocsp-response")
            .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(), HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(r -> {
          if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP status " + r.statusCode());
          }
          if (r.body().length > MAX_RESPONSE_BYTES) {
            throw new IllegalStateException("a response of " + r.body().length + " bytes");
          }
          return r.body();
        });
  }
}
