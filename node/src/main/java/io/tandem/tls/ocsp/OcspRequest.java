package io.tandem.tls.ocsp;

import io.tandem.tls.der.Der;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * An OCSP request for one certificate (RFC 6960 4.1: no signature, no nonce, so a responder may answer from its
 * cache), and where a certificate says to send it: the OCSP URL of its Authority Information Access extension.
 *
 * <pre>{@code
 * URI responder = OcspRequest.responder(leaf);               // null when the certificate names none
 * byte[] body = OcspRequest.encode(leaf, issuer);           // POST as application/ocsp-request
 * }</pre>
 */
public final class OcspRequest {
  private static final String AIA = "1.3.6.1.5.5.7.1.1";
  private static final String AD_OCSP = "1.3.6.1.5.5.7.48.1";
  private static final int URI_NAME = 0x86;

  private OcspRequest() {}

  /** DER of an OCSPRequest asking for {@code leaf}'s status, by a SHA-1 CertID. */
  public static byte[] encode(X509Certificate leaf, X509Certificate issuer) throws Der.MalformedException {
    byte[] request = Der.sequence(CertId.of(leaf, issuer, CertId.SHA1).encoded());
    byte[] tbsRequest = Der.sequence(Der.sequence(request));
    return Der.sequence(tbsRequest);
  }

  /** The first OCSP responder URL in {@code cert}'s Authority Information Access, or null. */
  public static URI responder(X509Certificate cert) throws Der.MalformedException {
    byte[] ext = cert.getExtensionValue(AIA);
    if (ext == null) {
      return null;
    }
    List<Der.Value> descriptions = Der.read(Der.read(ext).expect(Der.OCTET_STRING).content())
        .expect(Der.SEQUENCE).children();
    for (Der.Value d : descriptions) {
      List<Der.Value> f = d.expect(Der.SEQUENCE).children();
      if (f.size() == 2 && f.get(0).oid().equals(AD_OCSP) && f.get(1).tag() == URI_NAME) {
        try {
          return new URI(f.get(1).ascii());
        } catch (URISyntaxException e) {
          throw new Der.MalformedException("bad OCSP URL in Authority Information Access: " + f.get(1).ascii());
        }
      }
    }
    return null;
  }
}
