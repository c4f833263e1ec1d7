package io.tandem.proxy.rules;

import io.tandem.util.Outcome;
import java.util.List;

/**
 * An answer an action makes itself instead of forwarding: a refusal (403), a redirect, a fixed answer or a CORS
 * preflight's.
 *
 * @param outcome     how the request is counted and logged ({@code denied}, {@code redirected}, {@code returned})
 * @param headers     extra fields: name, value, name, value, ...
 * @param body        the body (empty for none)
 * @param contentType the body's type, or null when there is no body
 */
public record Answer(Outcome outcome, int status, List<String> headers, String body, String contentType) {
  public Answer {
    headers = List.copyOf(headers);
  }

  /** The reason phrase of the status line. */
  public String reason() {
    return io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase();
  }
}
