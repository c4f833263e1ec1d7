package io.tandem.tls;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.config.TlsConfig;
import io.tandem.testing.LogCapture;
import io.tandem.testing.ManualClock;
import io.tandem.testing.ManualScheduler;
import io.tandem.testing.TestCerts;
import io.tandem.tls.ocsp.CertId;
import io.tandem.tls.ocsp.OcspFile;
import io.tandem.tls.ocsp.OcspResponse;
import io.tandem.tls.ocsp.OcspResponses;
import io.tandem.tls.pem.KeyCertificate;
import io.tandem.tls.pem.PemFiles;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The refresher with a manual clock and scheduler and a fake responder: when it fetches, what it keeps on failure,
 * when it stops stapling. No network.
 */
class OcspStaplerTest {
  private static final Instant T0 = Instant.parse("2026-12-05T00:00:00Z");
  private static final URI RESPONDER = URI.create("http://ocsp.tandem.test/");

  @TempDir
  static Path dir;
  static KeyCertificate a;
  static KeyCertificate b;
  static KeyCertificate noIssuer;

  private ManualClock clock;
  private ManualScheduler scheduler;
  private Supplier<Instant> wall;
  /** What the fake responder was asked, and the answers it still owes, in order. */
  private final List<URI> asked = new ArrayList<>();
  private final List<CompletableFuture<byte[]>> answers = new ArrayList<>();

  @BeforeAll
  static void makeCertificates() throws Exception {
    TestCerts certs = TestCerts.create(dir);
    a = load(certs.leafWithOcsp("a", "http://ocsp.a.test/", "a.tandem.test"));
    b = load(certs.leafWithOcsp("b", "http://ocsp.b.test/", "b.tandem.test"));
    KeyCertificate withChain = load(certs.leafWithOcsp("n", "http://ocsp.n.test/", "n.tandem.test"));
    noIssuer = new KeyCertificate(withChain.key(), List.of(withChain.leaf()), withChain.names());
  }

  private static KeyCertificate load(TestCerts.Pair p) throws Exception {
    return PemFiles.load(p.cert(), p.key(), Instant.now());
  }

  @BeforeEach
  void clocks() {
    clock = new ManualClock();
    scheduler = new ManualScheduler(clock);
    long start = clock.nanoTime();
    wall = () -> T0.plusNanos(clock.nanoTime() - start);
  }

  private OcspStapler stapler() {
    return new OcspStapler("web", new OcspServices((uri, request) -> {
      asked.add(uri);
      CompletableFuture<byte[]> f = new CompletableFuture<>();
      answers.add(f);
      return f;
    }, scheduler), wall);
  }

  private static byte[] response(KeyCertificate kc, byte[] status, Instant thisUpdate, Instant nextUpdate)
      throws Exception {
    CertId id = CertId.of(kc.leaf(), OcspFile.issuer(kc), CertId.SHA1);
    return OcspResponses.basic(OcspResponses.single(id, status, thisUpdate, nextUpdate));
  }

  /** Completes the oldest open fetch with {@code body}. */
  private void answer(byte[] body) {
    answers.remove(0).complete(body);
  }

  private void fail(Throwable err) {
    answers.remove(0).completeExceptionally(err);
  }

  private static final TlsConfig.Ocsp FETCH = new TlsConfig.Ocsp(true, null, null, null);

  @Test
  void fetchesAtOnceThenHalfwayToNextUpdate() throws Exception {
    OcspStapler stapler = stapler();
    OcspStapler.Staples staples = stapler.prepare(FETCH, List.of(a, b), null);
    stapler.retain(staples);
    scheduler.runDue();
    assertEquals(List.of(URI.create("http://ocsp.a.test/"), URI.create("http://ocsp.b.test/")), asked,
        "each certificate's own responder");
    answer(response(a, OcspResponses.GOOD, T0, T0.plus(Duration.ofHours(8))));
    answer(response(b, OcspResponses.GOOD, T0, T0.plus(Duration.ofHours(8))));
    OcspStatus s = staples.status().get(0);
    assertTrue(s.stapled());
    assertEquals(OcspResponse.CertStatus.GOOD, s.certStatus());
    assertEquals(T0.plus(Duration.ofHours(8)), s.nextUpdate());
    assertEquals(T0.plus(Duration.ofHours(4)), s.nextFetch(), "halfway");
    scheduler.advance(Duration.ofHours(4).minusSeconds(1));
    assertEquals(2, asked.size());
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(4, asked.size());
  }

  @Test
  void refreshBeforeSetsTheNextFetchAndFallsBackToHalfway() throws Exception {
    OcspStapler stapler = stapler();
    OcspStapler.Staples staples = stapler.prepare(new TlsConfig.Ocsp(true, null, RESPONDER, Duration.ofHours(2)),
        List.of(a), null);
    scheduler.runDue();
    assertEquals(List.of(RESPONDER), asked, "the configured responder wins");
    answer(response(a, OcspResponses.GOOD, T0, T0.plus(Duration.ofDays(7))));
    assertEquals(T0.plus(Duration.ofDays(7)).minus(Duration.ofHours(2)), staples.status().get(0).nextFetch());
    scheduler.advance(Duration.ofDays(7).minus(Duration.ofHours(2)));
    Instant now = wall.get();
    answer(response(a, OcspResponses.GOOD, now, now.plus(Duration.ofHours(1))));
    assertEquals(now.plus(Duration.ofMinutes(30)), staples.status().get(0).nextFetch(),
        "validity shorter than refresh-before: halfway");
    scheduler.advance(Duration.ofMinutes(30));
    now = wall.get();
    answer(response(a, OcspResponses.GOOD, now, now.plusSeconds(30)));
    assertEquals(now.plus(OcspStapler.MIN_REFRESH), staples.status().get(0).nextFetch(), "never more than once a minute");
  }

  @Test
  void failuresBackOffKeepTheLastGoodResponseAndDropItWhenItExpires() throws Exception {
    OcspStapler stapler = stapler();
    OcspStapler.Staples staples = stapler.prepare(FETCH, List.of(a), null);
    stapler.retain(staples);
    scheduler.runDue();
    Instant expiry = T0.plus(Duration.ofHours(2));
    answer(response(a, OcspResponses.GOOD, T0, expiry));
    scheduler.advance(Duration.ofHours(1));
    try (LogCapture log = LogCapture.of(OcspStapler.class)) {
      fail(new java.net.ConnectException("Connection refused"));
      List<Duration> gaps = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        Duration gap = Duration.between(wall.get(), staples.status().get(0).nextFetch());
        gaps.add(gap);
        scheduler.advance(gap);
        answer(i % 2 == 0 ? "<html>busy</html>".getBytes(UTF_8) : OcspResponses.status(3));
      }
      assertEquals(List.of(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(40),
          Duration.ofSeconds(80), Duration.ofSeconds(160), Duration.ofSeconds(320), Duration.ofMinutes(10)), gaps,
          "doubling, at most ten minutes");
      assertEquals("WARN web: certificate a.tandem.test: OCSP fetch from http://ocsp.a.test/ failed (1 in a row): "
          + "ConnectException: Connection refused; still stapling the response good until " + expiry
          + "; next try in PT10S", log.lines().get(0));
      assertTrue(log.lines().get(1).contains("(2 in a row): not a DER OCSP response: "), log.lines().get(1));
      assertTrue(log.lines().get(2).contains("(3 in a row): response status tryLater"), log.lines().get(2));
      assertTrue(staples.status().get(0).stapled(), "the last good response is valid until " + expiry);
      assertEquals(OcspResponse.CertStatus.GOOD, staples.status().get(0).certStatus());
      while (staples.status().get(0).stapled()) {
        scheduler.advance(Duration.between(wall.get(), staples.status().get(0).nextFetch()));
        fail(new java.net.http.HttpTimeoutException("request timed out"));
      }
      assertFalse(wall.get().isBefore(expiry));
      OcspStatus s = staples.status().get(0);
      assertNull(s.certStatus());
      assertNull(s.nextUpdate());
      assertEquals("HttpTimeoutException: request timed out", s.lastError());
      assertTrue(log.lines().stream().anyMatch(l -> l.equals("WARN web: certificate a.tandem.test: the stapled "
          + "response expired at " + expiry + "; no longer stapling")), log.lines()::toString);
      assertTrue(log.lines().get(log.lines().size() - 1).contains("; not stapling; next try in PT10M"),
          log.lines()::toString);
    }
  }

  @Test
  void revokedIsStapledUnknownAndOtherCertificatesAreNot() throws Exception {
    OcspStapler stapler = stapler();
    OcspStapler.Staples staples = stapler.prepare(FETCH, List.of(a, b), null);
    scheduler.runDue();
    answer(response(a, OcspResponses.revoked(T0.minusSeconds(5)), T0, T0.plus(Duration.ofHours(1))));
    answer(response(b, OcspResponses.UNKNOWN, T0, T0.plus(Duration.ofHours(1))));
    assertEquals(OcspResponse.CertStatus.REVOKED, staples.status().get(0).certStatus());
    assertFalse(staples.status().get(1).stapled());
    assertEquals("the responder does not know the certificate (certStatus unknown)", staples.status().get(1).lastError());
    scheduler.advance(Duration.ofSeconds(10));
    answer(response(a, OcspResponses.GOOD, T0, T0.plus(Duration.ofHours(1))));
    assertEquals("the response is about other certificates", staples.status().get(1).lastError());
    scheduler.advance(Duration.ofSeconds(20));
    answer(response(b, OcspResponses.GOOD, T0.minus(Duration.ofDays(2)), T0.minus(Duration.ofDays(1))));
    assertEquals("the response expired at " + T0.minus(Duration.ofDays(1)), staples.status().get(1).lastError());
  }

  @Test
  void withoutAnIssuerNothingIsFetchedAndAFetchThatThrowsIsAFailure() throws Exception {
    OcspStapler stapler = new OcspStapler("web", new OcspServices((uri, request) -> {
      throw new IllegalStateException("no network");
    }, scheduler), wall);
    OcspStapler.Staples staples = stapler.prepare(FETCH, List.of(noIssuer, a), null);
    scheduler.runDue();
    assertEquals("the certificate file holds no issuer certificate after it, which OCSP needs",
        staples.status().get(0).lastError());
    assertNull(staples.status().get(0).nextFetch());
    assertEquals("cannot ask: java.lang.IllegalStateException: no network", staples.status().get(1).lastError());
    assertEquals(1, scheduler.pending(), "a's retry, nothing for the certificate without an issuer");
  }

  @Test
  void aNewGenerationKeepsTheResponsesOfCertificatesItStillHas() throws Exception {
    OcspStapler stapler = stapler();
    OcspStapler.Staples first = stapler.prepare(FETCH, List.of(a, b), null);
    stapler.retain(first);
    scheduler.runDue();
    answer(response(a, OcspResponses.GOOD, T0, T0.plus(Duration.ofHours(1))));
    answer(response(b, OcspResponses.GOOD, T0, T0.plus(Duration.ofHours(1))));
    assertEquals(2, scheduler.pending());
    OcspStapler.Staples second = stapler.prepare(FETCH, List.of(b), null);
    stapler.retain(second);
    scheduler.runDue();
    assertEquals(2, asked.size(), "b is not fetched again");
    assertTrue(second.status().get(0).stapled());
    assertEquals("b.tandem.test", second.status().get(0).certificate());
    assertEquals(1, scheduler.pending(), "a's refresh is cancelled");
    stapler.close();
    assertEquals(0, scheduler.pending());
  }
}
