package io.tandem.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads an ordered {@code actions} list (a route's or a listener's) and {@code error-pages}. Each action is a mapping
 * with exactly one key, its kind:
 *
 * <pre>
 * actions:
 *   - strip-prefix: /api
 *   - set-request-header: {name: X-Client-Addr, value: "${client.address}"}
 *   - remove-response-header: Server
 *   - allow: {sources: [10.0.0.0/8]}
 *   - redirect: {status: 301, prefix: /new/}
 * </pre>
 */
final class ActionReader {
  static final String[] KINDS = {
      "set-request-header", "add-request-header", "remove-request-header",
      "set-response-header", "add-response-header", "remove-response-header",
      "strip-prefix", "replace-prefix", "regex-rewrite", "set-host",
      "redirect", "return", "allow", "deny", "cors", "compress"};
  static final Set<Integer> REDIRECT_STATUSES = Set.of(301, 302, 303, 307, 308);
  /** Largest fixed answer or error page read from a file. */
  static final long MAX_FILE = 1 << 20;
  /** Headers an action may not touch: they frame the message or belong to one connection. */
  private static final Set<String> FRAMING = Set.of("content-length", "transfer-encoding", "connection", "keep-alive",
      "upgrade", "te", "trailer", "proxy-connection");

  private ActionReader() {}

  /**
   * @param matchedPrefix the route's {@code match.path-prefix}, or null (a listener's list, or no prefix)
   * @param base          the configuration file's directory, for files named in actions
   */
  static List<ActionConfig> read(YamlMap owner, String matchedPrefix, Path base) {
    return owner.list("actions", (element, path) -> {
      YamlMap m = YamlMap.open(element, path, owner.problems(), KINDS);
      if (!element.isObject()) {
        return null;
      }
      if (element.size() != 1) {
        if (element.size() > 1) {
          owner.problems().add(path, "one action per list item, got " + element.size() + " keys; split it into "
              + element.size() + " items (they run in order)");
        } else {
          owner.problems().add(path, "is empty; expected one of: " + String.join(", ", KINDS));
        }
        return null;
      }
      String kind = element.fieldNames().next();
      return switch (kind) {
        case "set-request-header" -> header(m, kind, ActionConfig.Side.REQUEST, ActionConfig.Op.SET);
        case "add-request-header" -> header(m, kind, ActionConfig.Side.REQUEST, ActionConfig.Op.ADD);
        case "remove-request-header" -> remove(m, kind, ActionConfig.Side.REQUEST);
        case "set-response-header" -> header(m, kind, ActionConfig.Side.RESPONSE, ActionConfig.Op.SET);
        case "add-response-header" -> header(m, kind, ActionConfig.Side.RESPONSE, ActionConfig.Op.ADD);
        case "remove-response-header" -> remove(m, kind, ActionConfig.Side.RESPONSE);
        case "strip-prefix" -> m.value(kind, null, n -> new ActionConfig.StripPrefix(prefix(n)));
        case "replace-prefix" -> replacePrefix(m, kind, matchedPrefix);
        case "regex-rewrite" -> regexRewrite(m, kind);
        case "set-host" -> m.value(kind, null, n -> new ActionConfig.SetHost(template(n)));
        case "redirect" -> redirect(m, kind, matchedPrefix);
        case "return" -> fixed(m, kind, base);
        case "allow", "deny" -> access(m, kind);
        case "cors" -> cors(m, kind);
        case "compress" -> compress(m, kind);
        default -> null;   // reported by open()
      };
    });
  }

  /** Whether {@code actions} always answer before a backend is needed (then a route needs no pool). */
  static boolean alwaysAnswers(List<ActionConfig> actions) {
    return actions.stream().anyMatch(a -> a instanceof ActionConfig.Redirect || a instanceof ActionConfig.Return);
  }

  /** {@code error-pages}: status to file, for the answers Tandem makes itself. */
  static Map<Integer, ErrorPage> errorPages(YamlMap owner, Path base) {
    Map<Integer, ErrorPage> pages = new HashMap<>();
    Map<String, String> files = owner.entries("error-pages", Scalars::text);
    files.forEach((status, file) -> {
      String path = owner.path("error-pages") + "." + status;
      int code;
      try {
        code = Integer.parseInt(status);
      } catch (NumberFormatException e) {
        code = 0;
      }
      if (code < 400 || code > 599) {
        owner.problems().add(path, "the key must be a status of an answer Tandem makes itself, 400-599 (e.g. 503), got "
            + "\"" + status + "\"");
        return;
      }
      Path f = base.resolve(file);
      String body = readFile(owner, path, f);
      if (body != null) {
        pages.put(code, new ErrorPage(body, contentType(f.getFileName().toString(), null), f.toString()));
      }
    });
    return pages;
  }

  private static ActionConfig header(YamlMap m, String kind, ActionConfig.Side side, ActionConfig.Op op) {
    YamlMap h = m.map(kind, "name", "value");
    String name = h.required("name", ActionReader::editableName);
    ValueTemplate value = h.required("value", ActionReader::template);
    return name == null || value == null ? null : new ActionConfig.Header(side, op, name, value);
  }

  private static ActionConfig remove(YamlMap m, String kind, ActionConfig.Side side) {
    String name = m.value(kind, null, ActionReader::editableName);
    return name == null ? null : new ActionConfig.Header(side, ActionConfig.Op.REMOVE, name, null);
  }

  private static String editableName(JsonNode node) {
    String name = Scalars.headerName(node);
    String lower = name.toLowerCase(Locale.ROOT);
    if (FRAMING.contains(lower)) {
      throw new IllegalArgumentException(name + " frames the message or concerns one connection; Tandem sets it");
    }
    if (lower.equals("host")) {
      throw new IllegalArgumentException("use set-host to change Host");
    }
    return name;
  }

  private static ValueTemplate template(JsonNode node) {
    if (node.isNumber() || node.isBoolean()) {
      return ValueTemplate.parse(node.asText());
    }
    return ValueTemplate.parse(Scalars.text(node));
  }

  private static String prefix(JsonNode node) {
    String p = Scalars.urlPath(node);
    if (p.length() < 2) {
      throw new IllegalArgumentException("must be a path prefix longer than /, got \"" + p + "\"");
    }
    return p;
  }

  private static ActionConfig replacePrefix(YamlMap m, String kind, String matchedPrefix) {
    String replacement = m.value(kind, null, Scalars::urlPath);
    if (replacement == null) {
      return null;
    }
    if (matchedPrefix == null) {
      m.error(kind, "replaces the route's match.path-prefix, and there is none here; use strip-prefix or regex-rewrite");
      return null;
    }
    return new ActionConfig.ReplacePrefix(matchedPrefix, replacement);
  }

  private static ActionConfig regexRewrite(YamlMap m, String kind) {
    YamlMap r = m.map(kind, "pattern", "replacement");
    Pattern pattern = r.required("pattern", Scalars::regex);
    String replacement = r.required("replacement", Scalars::text);
    if (pattern == null || replacement == null) {
      return null;
    }
    try {
      pattern.matcher("").replaceFirst(replacement);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      r.error("replacement", "is not a valid replacement for the pattern (" + e.getMessage()
          + "); groups are $1, $2, ... and a literal $ is \\$");
      return null;
    }
    int groups = pattern.matcher("").groupCount();
    java.util.regex.Matcher refs = Pattern.compile("(?<!\\\\)\\$(\\d)").matcher(replacement);
    while (refs.find()) {
      if (Integer.parseInt(refs.group(1)) > groups) {
        r.error("replacement", "uses $" + refs.group(1) + " but the pattern has " + groups + " group(s)");
        return null;
      }
    }
    return new ActionConfig.RegexRewrite(pattern, replacement);
  }

  private static ActionConfig redirect(YamlMap m, String kind, String matchedPrefix) {
    YamlMap r = m.map(kind, "status", "scheme", "host", "port", "path", "prefix", "query");
    int status = r.integer("status", 302, 300, 399);
    if (r.has("status") && !REDIRECT_STATUSES.contains(status)) {
      r.error("status", "must be one of 301, 302, 303, 307, 308, got " + status);
    }
    String scheme = r.value("scheme", null, n -> {
      String s = Scalars.text(n).toLowerCase(Locale.ROOT);
      if (!s.equals("http") && !s.equals("https")) {
        throw new IllegalArgumentException("must be http or https, got " + Scalars.describe(n));
      }
      return s;
    });
    String host = r.value("host", null, n -> {
      String h = Scalars.hostPattern(n);
      if (h.startsWith("*.")) {
        throw new IllegalArgumentException("must be a host name, not a pattern, got " + Scalars.describe(n));
      }
      return h;
    });
    int port = r.has("port") ? r.integer("port", 0, 1, 65535) : 0;
    String path = r.value("path", null, Scalars::urlPath);
    String prefix = r.value("prefix", null, Scalars::urlPath);
    if (path != null && prefix != null) {
      r.error("prefix", "set path (the whole path) or prefix (the route's match.path-prefix replaced), not both");
    }
    if (prefix != null && matchedPrefix == null) {
      r.error("prefix", "replaces the route's match.path-prefix, and there is none here; use path");
    }
    String query = r.value("query", "keep", n -> {
      String q = Scalars.text(n);
      if (!q.equals("keep") && !q.equals("drop")) {
        throw new IllegalArgumentException("must be keep or drop, got " + Scalars.describe(n));
      }
      return q;
    });
    return new ActionConfig.Redirect(status, scheme, host, port, path, matchedPrefix, prefix, query.equals("keep"));
  }

  private static ActionConfig fixed(YamlMap m, String kind, Path base) {
    YamlMap r = m.map(kind, "status", "body", "file", "content-type");
    int status = r.integer("status", 200, 200, 599);
    String contentType = r.string("content-type", null);
    if (r.has("body") && r.has("file")) {
      r.error("file", "set body or file, not both");
      return null;
    }
    String body = "";
    if (r.has("file")) {
      Path f = r.value("file", null, n -> base.resolve(Scalars.text(n)));
      body = f == null ? null : readFile(r, r.path("file"), f);
      contentType = contentType(f == null ? "" : f.getFileName().toString(), contentType);
    } else if (r.has("body")) {
      body = r.value("body", null, n -> n.isTextual() ? n.textValue() : Scalars.text(n));
    }
    if (contentType == null) {
      contentType = "text/plain; charset=utf-8";
    }
    if ((status == 204 || status == 304) && body != null && !body.isEmpty()) {
      r.error("body", "a " + status + " answer has no body");
    }
    return body == null ? null : new ActionConfig.Return(status, body, contentType);
  }

  private static ActionConfig access(YamlMap m, String kind) {
    YamlMap r = m.map(kind, "sources", "methods", "client-cert-subjects");
    List<Cidr> sources = r.scalars("sources", n -> Cidr.parse(Scalars.text(n)));
    List<String> methods = r.scalars("methods", Scalars::method);
    List<Pattern> subjects = r.scalars("client-cert-subjects", Scalars::regex);
    if (!r.has("sources") && !r.has("methods") && !r.has("client-cert-subjects")) {
      m.error(kind, "needs at least one of sources, methods, client-cert-subjects");
      return null;
    }
    return new ActionConfig.Access(kind.equals("allow"), sources, methods, subjects);
  }

  private static ActionConfig cors(YamlMap m, String kind) {
    YamlMap r = m.map(kind, "allowed-origins", "allowed-methods", "allowed-headers", "exposed-headers",
        "allow-credentials", "max-age");
    List<String> origins = r.scalars("allowed-origins", n -> {
      String o = Scalars.text(n);
      if (!o.equals("*") && !o.matches("https?://[A-Za-z0-9.-]+(:\\d{1,5})?")) {
        throw new IllegalArgumentException("must be * or an origin such as https://app.example.com, got "
            + Scalars.describe(n));
      }
      return o;
    });
    if (!r.has("allowed-origins")) {
      r.error("allowed-origins", "is required: the origins allowed (* for any)");
    }
    List<String> methods = r.has("allowed-methods") ? r.scalars("allowed-methods", Scalars::method)
        : List.of("GET", "HEAD", "POST");
    List<String> headers = r.scalars("allowed-headers", Scalars::headerName);
    List<String> expose = r.scalars("exposed-headers", Scalars::headerName);
    boolean credentials = r.bool("allow-credentials", false);
    long maxAge = r.duration("max-age", java.time.Duration.ofMinutes(10)).toSeconds();
    return new ActionConfig.Cors(origins, methods, headers, expose, credentials, maxAge);
  }

  private static ActionConfig compress(YamlMap m, String kind) {
    YamlMap r = m.map(kind, "types", "min-size", "level");
    List<String> types = r.has("types") ? r.scalars("types", n -> {
      String t = Scalars.text(n).toLowerCase(Locale.ROOT);
      if (!t.matches("[a-z0-9.+-]+/(\\*|[a-z0-9.+-]+)")) {
        throw new IllegalArgumentException("must be a media type such as application/json or text/*, got "
            + Scalars.describe(n));
      }
      return t;
    }) : ActionConfig.Compress.DEFAULT_TYPES;
    long minSize = r.size("min-size", 1024, 0, Long.MAX_VALUE);
    int level = r.integer("level", 1, 1, 9);
    return new ActionConfig.Compress(types, minSize, level);
  }

  private static String readFile(YamlMap owner, String path, Path f) {
    try {
      long size = Files.size(f);
      if (size > MAX_FILE) {
        owner.problems().add(path, f + " is " + size + " bytes; at most " + MAX_FILE + " are served from memory");
        return null;
      }
      return Files.readString(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      owner.problems().add(path, "cannot read " + f + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()));
      return null;
    }
  }

  /** The content type of a file by its extension ({@code given} wins when set). */
  static String contentType(String fileName, String given) {
    if (given != null) {
      return given;
    }
    String lower = fileName.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".html") || lower.endsWith(".htm")) {
      return "text/html; charset=utf-8";
    } else if (lower.endsWith(".json")) {
      return "application/json";
    } else if (lower.endsWith(".xml")) {
      return "application/xml";
    } else if (lower.endsWith(".css")) {
      return "text/css; charset=utf-8";
    } else if (lower.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    }
    return "text/plain; charset=utf-8";
  }
}
