package io.tandem.tls.ocsp;

import io.tandem.tls.der.Der;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What Tandem reads of an OCSP response (RFC 6960 4.2.1) before stapling it: the response status and, of a basic
 * response, each SingleResponse's certificate, status and validity. The signature is not checked here: clients check
 * the stapled response against the issuer, as they would one they fetched themselves.
 *
 * <pre>{@code
 * OcspResponse r = OcspResponse.parse(der);                        // MalformedException when not OCSP
 * if (r.status() == OcspResponse.Status.SUCCESSFUL) {
 *   SingleResponse mine = r.find(leaf, issuer);                    // null when it speaks of other certificates
 * }
 * }</pre>
 *
 * @param encoded the response as received, what is stapled
 */
public record OcspResponse(Status status, List<SingleResponse> responses, byte[] encoded) {
  private static final String BASIC = "1.3.6.1.5.5.7.48.1.1";

  public OcspResponse {
    responses = List.copyOf(responses);
  }

  /** OCSPResponseStatus; only {@code SUCCESSFUL} responses carry certificate statuses. */
  public enum Status {
    SUCCESSFUL, MALFORMED_REQUEST, INTERNAL_ERROR, TRY_LATER, UNUSED_4, SIG_REQUIRED, UNAUTHORIZED;

    /** As in messages: {@code successful}, {@code tryLater}, ... (RFC 6960's spelling). */
    @Override
    public String toString() {
      String[] words = name().toLowerCase(java.util.Locale.ROOT).split("_");
      StringBuilder sb = new StringBuilder(words[0]);
      for (int i = 1; i < words.length; i++) {
        sb.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
      }
      return sb.toString();
    }
  }

  /** CertStatus. */
  public enum CertStatus { GOOD, REVOKED, UNKNOWN }

  /**
   * @param nextUpdate null when the responder did not say (newer information is always available)
   * @param revokedAt  null unless {@code REVOKED}
   */
  public record SingleResponse(CertId certId, CertStatus status, Instant thisUpdate, Instant nextUpdate,
      Instant revokedAt) {}

  /** Reads a DER OCSPResponse. */
  public static OcspResponse parse(byte[] der) throws Der.MalformedException {
    List<Der.Value> top = Der.read(der).expect(Der.SEQUENCE).children();
    if (top.isEmpty()) {
      throw new Der.MalformedException("empty OCSPResponse");
    }
    java.math.BigInteger value = top.get(0).expect(Der.ENUMERATED).integer();
    int code = value.bitLength() < 8 ? value.intValue() : -1;
    if (code < 0 || code >= Status.values().length || code == 4) {
      throw new Der.MalformedException("unknown OCSP response status " + value);
    }
    Status status = Status.values()[code];
    if (status != Status.SUCCESSFUL) {
      return new OcspResponse(status, List.of(), der.clone());
    }
    if (top.size() < 2) {
      throw new Der.MalformedException("a successful OCSPResponse without responseBytes");
    }
    List<Der.Value> responseBytes = top.get(1).expect(0xa0).explicit().expect(Der.SEQUENCE).children();
    if (responseBytes.size() != 2) {
      throw new Der.MalformedException("ResponseBytes has 2 fields, this one " + responseBytes.size());
    }
    String type = responseBytes.get(0).oid();
    if (!type.equals(BASIC)) {
      throw new Der.MalformedException("not a basic OCSP response: " + type);
    }
    byte[] basic = responseBytes.get(1).expect(Der.OCTET_STRING).content();
    List<Der.Value> basicFields = Der.read(basic).expect(Der.SEQUENCE).children();
    if (basicFields.size() < 3) {
      throw new Der.MalformedException("BasicOCSPResponse has at least 3 fields, this one " + basicFields.size());
    }
    List<Der.Value> data = basicFields.get(0).expect(Der.SEQUENCE).children();
    int i = !data.isEmpty() && data.get(0).tag() == 0xa0 ? 1 : 0; // version [0], v1 by default
    // responderID ([1] byName or [2] byKey), producedAt, responses
    if (data.size() < i + 3) {
      throw new Der.MalformedException("ResponseData is missing fields");
    }
    data.get(i + 1).time();
    List<SingleResponse> singles = new ArrayList<>();
    for (Der.Value s : data.get(i + 2).expect(Der.SEQUENCE).children()) {
      singles.add(single(s));
    }
    return new OcspResponse(status, singles, der.clone());
  }

  private static SingleResponse single(Der.Value v) throws Der.MalformedException {
    List<Der.Value> f = v.expect(Der.SEQUENCE).children();
    if (f.size() < 3) {
      throw new Der.MalformedException("SingleResponse has at least 3 fields, this one " + f.size());
    }
    CertId id = CertId.read(f.get(0));
    Der.Value s = f.get(1);
    CertStatus status;
    Instant revokedAt = null;
    switch (s.tag()) {
      case 0x80 -> status = CertStatus.GOOD;
      case 0xa1 -> {
        status = CertStatus.REVOKED;
        List<Der.Value> info = s.children();
        if (info.isEmpty()) {
          throw new Der.MalformedException("RevokedInfo without revocationTime");
        }
        revokedAt = info.get(0).time();
      }
      case 0x82 -> status = CertStatus.UNKNOWN;
      default -> throw new Der.MalformedException(String.format("unknown CertStatus tag 0x%02x", s.tag()));
    }
    Instant thisUpdate = f.get(2).time();
    Instant nextUpdate = f.size() > 3 && f.get(3).tag() == 0xa0 ? f.get(3).explicit().time() : null;
    return new SingleResponse(id, status, thisUpdate, nextUpdate, revokedAt);
  }

  /** The SingleResponse about {@code leaf} (issued by {@code issuer}), or null. */
  public SingleResponse find(X509Certificate leaf, X509Certificate issuer) throws Der.MalformedException {
    for (SingleResponse s : responses) {
      if (s.certId().names(leaf, issuer)) {
        return s;
      }
    }
    return null;
  }

  @Override
  public byte[] encoded() {
    return encoded.clone();
  }
}
