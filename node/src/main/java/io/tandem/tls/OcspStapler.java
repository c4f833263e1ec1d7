package io.tandem.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.tandem.config.TlsConfig;
import io.tandem.tls.der.Der;
import io.tandem.tls.ocsp.OcspFile;
import io.tandem.tls.ocsp.OcspRequest;
import io.tandem.tls.ocsp.OcspResponse;
import io.tandem.tls.pem.KeyCertificate;
import io.tandem.util.Scheduler;
import java.net.URI;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * OCSP stapling for one listener: keeps, per certificate, the latest usable OCSP response and hands it to each
 * handshake that sends that certificate ({@link Staples#staple}, called from the key manager's choice, so SNI picks
 * the response with the certificate).
 *
 * <p>Responses come from a file ({@code ocsp.file}, stapled as it is until its nextUpdate) or from the certificate's
 * responder: a request is POSTed ({@link Fetch}; {@link OcspServices} has the JDK's HTTP client) as soon as a certificate is
 * loaded, then again {@code refresh-before} ahead of the response's nextUpdate, else halfway to it (at least a minute
 * apart). A failed fetch (unreachable, an HTTP error, malformed DER, a status other than successful, no answer about
 * this certificate, certStatus unknown, already expired) is logged at warn naming listener, certificate and responder
 * and retried with back-off from {@link #FIRST_RETRY} to {@link #MAX_RETRY}; the last good response keeps being
 * stapled until its nextUpdate, then is dropped. A revoked status is stapled (clients should learn it) with a warning.
 *
 * <p>Threads: fetches start on the {@link Scheduler}'s thread (a worker context in production, never an event loop)
 * and end on the HTTP client's; the handshake path only reads a volatile field. Nothing here throws out of a timer.
 */
final class OcspStapler {
  private static final Logger LOG = LogManager.getLogger(OcspStapler.class);
  static final Duration FIRST_RETRY = Duration.ofSeconds(10);
  static final Duration MAX_RETRY = Duration.ofMinutes(10);
  static final Duration MIN_REFRESH = Duration.ofMinutes(1);
  /** How long a fetched response without nextUpdate ("newer information is always available") is stapled. */
  static final Duration WITHOUT_NEXT_UPDATE = Duration.ofHours(1);

  /** Sends a DER OCSP request to a responder; completes with the response body. */
  @FunctionalInterface
  interface Fetch {
    CompletableFuture<byte[]> post(URI responder, byte[] request);
  }

  private final String listener;
  private final OcspServices services;
  private final Supplier<Instant> clock;
  private TlsConfig.Ocsp config = TlsConfig.Ocsp.OFF;
  /** Entries of fetched responses in force, by leaf certificate; reused by later generations of certificates. */
  private Map<String, Entry> live = new HashMap<>();

  OcspStapler(String listener, OcspServices services, Supplier<Instant> clock) {
    this.listener = listener;
    this.services = services;
    this.clock = clock;
  }

  /** A stapled response: the DER as received, and until when it may be sent. */
  private record Staple(byte[] der, OcspResponse.CertStatus status, Instant nextUpdate, Instant validUntil) {}

  /**
   * The responses of one generation of a listener's certificates, in their order; what its key manager calls.
   * Immutable (each entry's response changes underneath).
   */
  final class Staples {
    private final Entry[] entries;

    private Staples(Entry[] entries) {
      this.entries = entries;
    }

    /** Handshake path: gives {@code engine} the response for certificate {@code index}, if one is valid now. */
    void staple(SSLEngine engine, int index) {
      if (index >= entries.length || !(engine instanceof ReferenceCountedOpenSslEngine openssl)) {
        return;
      }
      Staple s = entries[index].staple;
      if (s != null && clock.get().isBefore(s.validUntil())) {
        try {
          openssl.setOcspResponse(s.der());
        } catch (RuntimeException e) {
          LOG.debug("{}: cannot staple on this engine: {}", listener, e.toString());
        }
      }
    }

    List<OcspStatus> status() {
      List<OcspStatus> all = new ArrayList<>();
      Instant now = clock.get();
      for (Entry e : entries) {
        all.add(e.status(now));
      }
      return all;
    }
  }

  /**
   * The staples for a new generation of certificates: fetched ones are kept for certificates already loaded (and
   * fetched now for new ones), a file's response goes to the certificate it is about. Call {@link #retain} once the
   * generation is in force. Control plane.
   */
  synchronized Staples prepare(TlsConfig.Ocsp ocsp, List<KeyCertificate> certificates, OcspFile file) {
    Map<String, Entry> reusable = ocsp.equals(config) ? live : Map.of();
    config = ocsp;
    Map<String, Entry> made = new HashMap<>();
    Entry[] entries = new Entry[certificates.size()];
    for (int i = 0; i < entries.length; i++) {
      KeyCertificate kc = certificates.get(i);
      String key = key(kc.leaf());
      Entry e = ocsp.fetches() ? made.getOrDefault(key, reusable.get(key)) : null;
      if (e == null) {
        e = new Entry(kc, ocsp);
        if (ocsp.fetches()) {
          e.start();
        } else if (ocsp.stapling()) {
          e.fromFile(ocsp.file(), file != null && file.certificate() == i ? file : null);
        }
      }
      entries[i] = e;
      made.putIfAbsent(key, e);
    }
    return new Staples(entries);
  }

  /** Stops refreshing the responses of certificates that {@code current} (the generation in force) no longer has. */
  synchronized void retain(Staples current) {
    Map<String, Entry> next = new HashMap<>();
    for (Entry e : current.entries) {
      next.put(key(e.leaf), e);
    }
    live.values().stream().filter(e -> next.get(key(e.leaf)) != e).forEach(Entry::close);
    live = next;
  }

  /** Stops every refresh (the listener stopped). */
  synchronized void close() {
    live.values().forEach(Entry::close);
    live = new HashMap<>();
  }

  /** Drops responses past their nextUpdate, with a warning each (a file's too). Control plane, periodically. */
  synchronized void expire() {
    Instant now = clock.get();
    live.values().forEach(e -> e.expire(now));
  }

  private static String key(X509Certificate leaf) {
    try {
      return Base64.getEncoder().encodeToString(leaf.getEncoded());
    } catch (CertificateEncodingException e) {
      return leaf.getSerialNumber() + "/" + leaf.getIssuerX500Principal();
    }
  }

  /** One certificate's stapling: its current response, and for fetched ones the timer of the next fetch. */
  private final class Entry {
    final X509Certificate leaf;
    final X509Certificate issuer;
    final String name;
    final URI responder;
    final TlsConfig.Ocsp ocsp;
    volatile Staple staple;
    volatile String lastError;
    volatile Instant nextFetch;
    private int failures;
    private Scheduler.Cancellable timer;
    private boolean closed;

    Entry(KeyCertificate kc, TlsConfig.Ocsp ocsp) {
      this.leaf = kc.leaf();
      this.issuer = OcspFile.issuer(kc);
      this.name = kc.names().isEmpty() ? leaf.getSubjectX500Principal().getName() : kc.names().get(0);
      this.ocsp = ocsp;
      URI own = null;
      try {
        own = OcspRequest.responder(leaf);
      } catch (Der.MalformedException e) {
        lastError = "bad Authority Information Access: " + e.getMessage();
      }
      this.responder = ocsp.responder() != null ? ocsp.responder() : own;
    }

    synchronized void start() {
      if (issuer == null) {
        lastError = "the certificate file holds no issuer certificate after it, which OCSP needs";
        LOG.warn("{}: certificate {}: not stapled: {}", listener, name, lastError);
      } else if (responder == null) {
        lastError = lastError != null ? lastError : "the certificate names no OCSP responder";
        LOG.warn("{}: certificate {}: not stapled: {}", listener, name, lastError);
      } else {
        schedule(Duration.ZERO);
      }
    }

    synchronized void fromFile(java.nio.file.Path path, OcspFile file) {
      if (file == null) {
        lastError = path + " is about another certificate";
        return;
      }
      OcspResponse.SingleResponse s = file.single();
      Instant validUntil = s.nextUpdate() != null ? s.nextUpdate() : Instant.MAX;
      staple = new Staple(file.response().encoded(), s.status(), s.nextUpdate(), validUntil);
      if (s.status() != OcspResponse.CertStatus.GOOD) {
        LOG.warn("{}: certificate {}: {} says {}; stapled as it is", listener, name, path, describe(s));
      }
      expire(clock.get());
    }

    private synchronized void schedule(Duration delay) {
      if (closed) {
        return;
      }
      nextFetch = clock.get().plus(delay);
      timer = services.scheduler().schedule(delay, this::fetch);
    }

    private void fetch() {
      try {
        byte[] request;
        synchronized (this) {
          if (closed) {
            return;
          }
          request = OcspRequest.encode(leaf, issuer);
        }
        services.fetch().post(responder, request).whenComplete(this::answered);
      } catch (Der.MalformedException | RuntimeException e) {
        failed("cannot ask: " + e);
      }
    }

    private void answered(byte[] body, Throwable err) {
      try {
        if (err != null) {
          Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
              ? err.getCause() : err;
          failed(cause.getMessage() != null ? cause.getClass().getSimpleName() + ": " + cause.getMessage()
              : cause.toString());
          return;
        }
        String problem = accept(OcspResponse.parse(body));
        if (problem != null) {
          failed(problem);
        }
      } catch (Der.MalformedException e) {
        failed("not a DER OCSP response: " + e.getMessage());
      } catch (RuntimeException e) {
        failed(e.toString());
      }
    }

    /** Staples {@code r} when it is usable; else says why not. */
    private synchronized String accept(OcspResponse r) throws Der.MalformedException {
      if (closed) {
        return null;
      }
      if (r.status() != OcspResponse.Status.SUCCESSFUL) {
        return "response status " + r.status();
      }
      OcspResponse.SingleResponse s = r.find(leaf, issuer);
      if (s == null) {
        return "the response is about other certificates";
      }
      Instant now = clock.get();
      if (s.nextUpdate() != null && !s.nextUpdate().isAfter(now)) {
        return "the response expired at " + s.nextUpdate();
      }
      if (s.status() == OcspResponse.CertStatus.UNKNOWN) {
        return "the responder does not know the certificate (certStatus unknown)";
      }
      Instant validUntil = s.nextUpdate() != null ? s.nextUpdate() : now.plus(WITHOUT_NEXT_UPDATE);
      staple = new Staple(r.encoded(), s.status(), s.nextUpdate(), validUntil);
      failures = 0;
      lastError = null;
      Duration left = Duration.between(now, validUntil);
      Duration delay = ocsp.refreshBefore() != null && left.compareTo(ocsp.refreshBefore()) > 0
          ? left.minus(ocsp.refreshBefore()) : left.dividedBy(2);
      delay = delay.compareTo(MIN_REFRESH) < 0 ? MIN_REFRESH : delay;
      if (s.status() == OcspResponse.CertStatus.REVOKED) {
        LOG.warn("{}: certificate {}: {} says {}; stapling it", listener, name, responder, describe(s));
      } else {
        LOG.info("{}: certificate {}: stapling the OCSP response of {} (good until {}), next fetch in {}", listener,
            name, responder, validUntil, delay);
      }
      schedule(delay);
      return null;
    }

    private synchronized void failed(String problem) {
      if (closed) {
        return;
      }
      failures++;
      lastError = problem;
      Duration delay = FIRST_RETRY.multipliedBy(1L << Math.min(failures - 1, 16));
      delay = delay.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay;
      expire(clock.get());
      Staple s = staple;
      LOG.warn("{}: certificate {}: OCSP fetch from {} failed ({} in a row): {}; {}; next try in {}", listener, name,
          responder, failures, problem, s != null ? "still stapling the response good until " + s.validUntil()
              : "not stapling", delay);
      schedule(delay);
    }

    synchronized void expire(Instant now) {
      Staple s = staple;
      if (s != null && !now.isBefore(s.validUntil())) {
        staple = null;
        String why = "the stapled response expired at " + s.validUntil();
        lastError = lastError == null ? why : lastError;
        LOG.warn("{}: certificate {}: {}; no longer stapling", listener, name, why);
      }
    }

    synchronized void close() {
      closed = true;
      if (timer != null) {
        timer.cancel();
      }
    }

    OcspStatus status(Instant now) {
      Staple s = staple;
      boolean valid = s != null && now.isBefore(s.validUntil());
      return new OcspStatus(name, valid, valid ? s.status() : null, valid ? s.nextUpdate() : null,
          ocsp.fetches() ? nextFetch : null, lastError);
    }
  }

  private static String describe(OcspResponse.SingleResponse s) {
    return s.status() == OcspResponse.CertStatus.REVOKED ? "revoked (since " + s.revokedAt() + ")"
        : s.status().name().toLowerCase(java.util.Locale.ROOT);
  }
}
