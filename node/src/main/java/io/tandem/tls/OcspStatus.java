package io.tandem.tls;

import io.tandem.tls.ocsp.OcspResponse;
import java.time.Instant;

/**
 * One certificate's OCSP stapling, for the admin API and metrics.
 *
 * @param certificate the certificate's first name
 * @param stapled     whether handshakes get a response now
 * @param certStatus  what the stapled response says, or null when none is stapled
 * @param nextUpdate  the stapled response's nextUpdate, or null (none stapled, or the responder gave none)
 * @param nextFetch   when the response is fetched next, or null (read from a file, or not fetched)
 * @param lastError   why the last fetch (or the file) gave nothing new, or null after a success
 */
public record OcspStatus(String certificate, boolean stapled, OcspResponse.CertStatus certStatus, Instant nextUpdate,
    Instant nextFetch, String lastError) {}
