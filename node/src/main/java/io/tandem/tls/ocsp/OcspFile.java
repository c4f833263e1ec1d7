package io.tandem.tls.ocsp;

import io.tandem.tls.der.Der;
import io.tandem.tls.pem.CertificateProblem;
import io.tandem.tls.pem.KeyCertificate;
import io.tandem.tls.pem.PemFiles;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A listener's {@code ocsp.file}: one DER OCSP response (what {@code openssl ocsp -respout} writes), stapled to the
 * certificate it speaks of. Read when the configuration is loaded and whenever the file changes, like the certificates;
 * a file that cannot be used is a problem naming {@code ocsp.file}, the file and what is wrong.
 *
 * @param certificate the index of the listener's certificate the response is for
 */
public record OcspFile(int certificate, OcspResponse response, OcspResponse.SingleResponse single) {
  public static final String FIELD = "ocsp.file";

  /** Reads {@code file} and finds which of {@code certificates} it is for. */
  public static OcspFile read(Path file, List<KeyCertificate> certificates) throws CertificateProblem {
    byte[] der = PemFiles.read(file, FIELD);
    OcspResponse response;
    try {
      response = OcspResponse.parse(der);
    } catch (Der.MalformedException e) {
      throw new CertificateProblem(FIELD, file + ": not a DER OCSP response: " + e.getMessage());
    }
    if (response.status() != OcspResponse.Status.SUCCESSFUL) {
      throw new CertificateProblem(FIELD, file + ": the OCSP response's status is " + response.status()
          + ", not successful");
    }
    StringBuilder serials = new StringBuilder();
    for (int i = 0; i < certificates.size(); i++) {
      X509Certificate leaf = certificates.get(i).leaf();
      X509Certificate issuer = issuer(certificates.get(i));
      serials.append(i == 0 ? "" : ", ").append(leaf.getSerialNumber().toString(16));
      if (issuer == null) {
        continue;
      }
      try {
        OcspResponse.SingleResponse single = response.find(leaf, issuer);
        if (single != null) {
          return new OcspFile(i, response, single);
        }
      } catch (Der.MalformedException e) {
        throw new CertificateProblem(FIELD, file + ": " + e.getMessage());
      }
    }
    throw new CertificateProblem(FIELD, file + ": is about none of the listener's certificates (serial numbers "
        + serials + ", each with the issuer that follows it in its file)");
  }

  /** The certificate that issued {@code kc}'s leaf: the next one of its chain, or null when the chain has none. */
  public static X509Certificate issuer(KeyCertificate kc) {
    if (kc.chain().size() < 2) {
      return null;
    }
    X509Certificate next = kc.chain().get(1);
    return next.getSubjectX500Principal().equals(kc.leaf().getIssuerX500Principal()) ? next : null;
  }
}
