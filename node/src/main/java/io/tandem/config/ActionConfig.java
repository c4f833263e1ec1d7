package io.tandem.config;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One action of a route's (or a listener's) ordered {@code actions} list, applied to each request the route takes. An
 * action either edits what is forwarded (headers, path, host), edits the response (headers, CORS), or answers itself
 * (access refused, redirect, fixed answer); the first action that answers ends the list. Immutable: the data path
 * reads these as they are.
 */
public sealed interface ActionConfig {

  /** Which message a header action edits. */
  enum Side { REQUEST, RESPONSE }

  /** What a header action does: replace every field of the name, append one, or remove all of them. */
  enum Op { SET, ADD, REMOVE }

  /**
   * A header edit: {@code set-request-header}, {@code add-response-header}, {@code remove-response-header}, ...
   *
   * @param name  the header name as written (sent in this spelling)
   * @param lower the name lower-cased, for comparing
   * @param value the value (null for {@link Op#REMOVE})
   */
  record Header(Side side, Op op, String name, String lower, ValueTemplate value) implements ActionConfig {
    public Header(Side side, Op op, String name, ValueTemplate value) {
      this(side, op, name, name.toLowerCase(Locale.ROOT), value);
    }
  }

  /** Removes {@code prefix} from the start of the path (Traefik's StripPrefix); a path without it is left alone. */
  record StripPrefix(String prefix) implements ActionConfig {}

  /** Replaces the route's {@code match.path-prefix} with {@code replacement} (Envoy's {@code prefix_rewrite}). */
  record ReplacePrefix(String prefix, String replacement) implements ActionConfig {}

  /** Rewrites the path by a regular expression; {@code replacement} may use {@code $1} ... (Envoy's regex_rewrite). */
  record RegexRewrite(Pattern pattern, String replacement) implements ActionConfig {}

  /** Replaces the {@code Host} header the backend sees ({@code X-Forwarded-Host} keeps the client's). */
  record SetHost(ValueTemplate host) implements ActionConfig {}

  /**
   * Answers with a redirect. Parts left null keep the request's own; {@code prefix} replaces the route's
   * {@code match.path-prefix}, {@code path} the whole path.
   *
   * @param status    301, 302, 303, 307 or 308
   * @param port      0 keeps the request's (none for the scheme's default)
   * @param keepQuery whether the request's query goes along
   */
  record Redirect(int status, String scheme, String host, int port, String path, String matchedPrefix, String prefix,
      boolean keepQuery) implements ActionConfig {}

  /** Answers {@code status} with a fixed body, without a backend ({@code return}). */
  record Return(int status, String body, String contentType) implements ActionConfig {}

  /**
   * Access control ({@code allow} or {@code deny}): a request matches when every condition given holds (sources: the
   * client address is in one of the networks; methods: its method is one of them; subjects: its client certificate's
   * subject matches one of the patterns). {@code allow} refuses (403) what does not match, {@code deny} what does.
   */
  record Access(boolean allow, List<Cidr> sources, List<String> methods, List<Pattern> subjects)
      implements ActionConfig {
    public Access {
      sources = List.copyOf(sources);
      methods = List.copyOf(methods);
      subjects = List.copyOf(subjects);
    }
  }

  /**
   * CORS (the Fetch standard's): a preflight ({@code OPTIONS} with {@code Origin} and
   * {@code Access-Control-Request-Method}) from an allowed origin is answered 204 here; other requests from an allowed
   * origin get the {@code Access-Control-Allow-*} headers on their response. {@code *} in origins allows any (sent as
   * the origin itself when credentials are allowed, as the standard requires).
   */
  record Cors(List<String> origins, List<String> methods, List<String> headers, List<String> exposeHeaders,
      boolean credentials, long maxAgeSeconds) implements ActionConfig {
    public Cors {
      origins = List.copyOf(origins);
      methods = List.copyOf(methods);
      headers = List.copyOf(headers);
      exposeHeaders = List.copyOf(exposeHeaders);
    }

    public boolean allows(String origin) {
      return origins.contains("*") || origins.contains(origin);
    }
  }

  /**
   * Compresses responses with gzip ({@code compress}) when the client accepts it and the response is worth it: its
   * content type is one of {@code types} ({@code text/*} matches every text type), it has a length of at least
   * {@code minSize}, and it is not already encoded, partial ({@code 206}, {@code Content-Range}) or marked
   * {@code Cache-Control: no-transform}.
   *
   * @param level deflate level, 1 (fastest, nginx's default) to 9
   */
  record Compress(List<String> types, long minSize, int level) implements ActionConfig {
    public static final List<String> DEFAULT_TYPES = List.of("text/html", "text/plain", "text/css", "text/javascript",
        "application/javascript", "application/json", "application/xml", "image/svg+xml");

    public Compress {
      types = List.copyOf(types);
    }
  }
}
