package io.tandem.tls.pem;

/**
 * Why a certificate or key file cannot be used. {@link #field()} says which of the pair is at fault ({@code cert} or
 * {@code key}), so that a configuration error can name the field; the message names the file and the problem, e.g.
 * {@code /etc/tandem/a.pem: certificate expired on 2024-01-01T00:00:00Z (CN=a.example.com)}.
 */
public final class CertificateProblem extends Exception {
  private static final long serialVersionUID = 1L;
  private final String field;

  public CertificateProblem(String field, String message) {
    super(message);
    this.field = field;
  }

  /** {@code cert}, {@code key} or {@code client-ca}: the configuration field whose file is at fault. */
  public String field() {
    return field;
  }
}
