package io.tandem.proxy.rules;

import io.netty.util.NetUtil;
import io.tandem.config.ActionConfig;
import io.tandem.config.Cidr;
import io.tandem.config.ErrorPage;
import io.tandem.config.RouteConfig;
import io.tandem.config.ValueTemplate;
import io.tandem.util.Outcome;
import io.tandem.proxy.h1.HeaderEdits;
import io.tandem.util.HostHeader;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;

/**
 * Runs a route's actions ({@link ActionConfig}) over one request, in order, and says what to do: answer at once
 * (access refused, redirect, fixed answer, CORS preflight) or forward with a rewritten target and edited headers.
 * Protocol-neutral: the HTTP/1.1 path applies the {@link Plan} while splicing its head, the HTTP/2 path to its header
 * maps. Never throws for bad traffic; a route without actions costs one check.
 *
 * <pre>{@code
 * Plan plan = Rules.plan(route, poolName, request);
 * if (plan.answer() != null) { ... send it ... }
 * }</pre>
 */
public final class Rules {
  private Rules() {}

  public static Plan plan(RouteConfig route, String pool, RuleRequest req) {
    List<ActionConfig> actions = route.actions();
    if (actions.isEmpty()) {
      return Plan.NONE;
    }
    String path = req.path();
    boolean rewritten = false;
    HeaderEdits request = null;
    HeaderEdits response = null;
    ActionConfig.Compress compress = null;
    Function<ValueTemplate.Var, String> vars = var -> value(var, req, route, pool);
    InetAddress[] client = new InetAddress[1];
    for (ActionConfig action : actions) {
      if (action instanceof ActionConfig.Header h) {
        if (h.side() == ActionConfig.Side.REQUEST) {
          request = edit(request == null ? new HeaderEdits() : request, h, vars);
        } else {
          response = edit(response == null ? new HeaderEdits() : response, h, vars);
        }
      } else if (action instanceof ActionConfig.StripPrefix s) {
        String next = stripPrefix(path, s.prefix());
        rewritten |= !next.equals(path);
        path = next;
      } else if (action instanceof ActionConfig.ReplacePrefix r) {
        if (path.startsWith(r.prefix())) {
          path = r.replacement() + path.substring(r.prefix().length());
          rewritten = true;
        }
      } else if (action instanceof ActionConfig.RegexRewrite r) {
        Matcher m = r.pattern().matcher(path);
        if (m.find()) {
          path = m.replaceAll(r.replacement());
          rewritten = true;
        }
      } else if (action instanceof ActionConfig.SetHost s) {
        request = request == null ? new HeaderEdits() : request;
        request.set("Host", s.host().render(vars));
      } else if (action instanceof ActionConfig.Access a) {
        if (refuses(a, req, client)) {
          return answer(new Answer(Outcome.DENIED, 403, List.of(), "", null));
        }
      } else if (action instanceof ActionConfig.Redirect r) {
        return answer(new Answer(Outcome.REDIRECTED, r.status(), List.of("location", location(r, req, path)), "",
            null));
      } else if (action instanceof ActionConfig.Return r) {
        return answer(new Answer(Outcome.RETURNED, r.status(), List.of(), r.body(), r.contentType()));
      } else if (action instanceof ActionConfig.Cors c) {
        String origin = req.header("origin");
        if (origin != null && "OPTIONS".equals(req.method()) && req.header("access-control-request-method") != null) {
          return answer(preflight(c, origin));
        }
        if (origin != null && c.allows(origin)) {
          response = cors(response == null ? new HeaderEdits() : response, c, origin);
        }
      } else if (action instanceof ActionConfig.Compress c) {
        if (!"HEAD".equals(req.method()) && Compression.acceptsGzip(req.header("accept-encoding"))) {
          compress = c;
        }
      }
    }
    String target = rewritten ? withQuery(path, req.uri()) : null;
    return target == null && request == null && response == null && compress == null ? Plan.NONE
        : new Plan(null, target, request, response, compress);
  }

  /** The error page for {@code status} on this route (its own, else its listener's), or null for the plain body. */
  public static ErrorPage page(RouteConfig route, Map<Integer, ErrorPage> listenerPages, int status) {
    ErrorPage page = route == null ? null : route.errorPages().get(status);
    return page != null ? page : listenerPages.get(status);
  }

  private static Plan answer(Answer a) {
    return new Plan(a, null, null, null, null);
  }

  private static HeaderEdits edit(HeaderEdits e, ActionConfig.Header h, Function<ValueTemplate.Var, String> vars) {
    switch (h.op()) {
      case SET -> e.set(h.name(), h.value().render(vars));
      case ADD -> e.add(h.name(), h.value().render(vars));
      case REMOVE -> e.remove(h.name());
      default -> throw new IllegalStateException(h.op().toString());
    }
    return e;
  }

  private static String value(ValueTemplate.Var var, RuleRequest req, RouteConfig route, String pool) {
    return switch (var) {
      case CLIENT_ADDRESS -> req.clientAddress();
      case CLIENT_PORT -> req.clientPort() == 0 ? null : Integer.toString(req.clientPort());
      case REQUEST_ID -> req.requestId();
      case SCHEME -> req.scheme();
      case HOST -> req.host();
      case SNI -> req.sni();
      case CLIENT_CERT_SUBJECT -> req.clientCertSubject();
      case ROUTE -> route.name();
      case POOL -> pool;
    };
  }

  /** {@code /api} off {@code /api/users} is {@code /users}; off {@code /api} it is {@code /}; {@code /apix} stays. */
  static String stripPrefix(String path, String prefix) {
    if (!path.startsWith(prefix)) {
      return path;
    }
    boolean boundary = prefix.endsWith("/") || path.length() == prefix.length()
        || path.charAt(prefix.length()) == '/';
    if (!boundary) {
      return path;
    }
    String rest = path.substring(prefix.length());
    return rest.isEmpty() ? "/" : rest.charAt(0) == '/' ? rest : "/" + rest;
  }

  private static String withQuery(String path, String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? path : path + uri.substring(q);
  }

  private static boolean refuses(ActionConfig.Access a, RuleRequest req, InetAddress[] client) {
    boolean matches = true;
    if (!a.sources().isEmpty()) {
      if (client[0] == null) {
        client[0] = NetUtil.createInetAddressFromIpAddressString(req.clientAddress());
      }
      matches = client[0] != null && Cidr.anyContains(a.sources(), client[0]);
    }
    if (matches && !a.methods().isEmpty()) {
      matches = a.methods().contains(req.method());
    }
    if (matches && !a.subjects().isEmpty()) {
      String subject = req.clientCertSubject();
      matches = subject != null && a.subjects().stream().anyMatch(p -> p.matcher(subject).find());
    }
    return a.allow() != matches;
  }

  /** The redirect's {@code Location}: what the action replaces, the request's own for the rest. */
  static String location(ActionConfig.Redirect r, RuleRequest req, String currentPath) {
    String path = r.path() != null ? r.path()
        : r.prefix() != null && currentPath.startsWith(r.matchedPrefix())
            ? r.prefix() + currentPath.substring(r.matchedPrefix().length())
            : currentPath;
    String query = null;
    if (r.keepQuery()) {
      int q = req.uri().indexOf('?');
      query = q < 0 ? null : req.uri().substring(q + 1);
    }
    String host = req.host();
    String reqHost = host == null || host.isEmpty() ? null : HostHeader.withoutPort(host);
    int reqPort = host == null ? -1 : HostHeader.port(host);
    String newHost = r.host() != null ? r.host() : reqHost;
    StringBuilder sb = new StringBuilder(64);
    if (newHost != null) {
      String scheme = r.scheme() != null ? r.scheme() : req.scheme();
      int port = r.port() != 0 ? r.port()
          : r.scheme() == null && r.host() == null && reqPort > 0 ? reqPort : -1;
      boolean defaultPort = port == (scheme.equals("https") ? 443 : 80);
      sb.append(scheme).append("://").append(newHost);
      if (port > 0 && !defaultPort) {
        sb.append(':').append(port);
      }
    }
    sb.append(path);
    if (query != null) {
      sb.append('?').append(query);
    }
    return sb.toString();
  }

  private static Answer preflight(ActionConfig.Cors c, String origin) {
    if (!c.allows(origin)) {
      return new Answer(Outcome.DENIED, 403, List.of("vary", "origin"), "", null);
    }
    List<String> h = new ArrayList<>(12);
    h.add("access-control-allow-origin");
    h.add(allowOrigin(c, origin));
    h.add("access-control-allow-methods");
    h.add(String.join(", ", c.methods()));
    if (!c.headers().isEmpty()) {
      h.add("access-control-allow-headers");
      h.add(String.join(", ", c.headers()));
    }
    if (c.credentials()) {
      h.add("access-control-allow-credentials");
      h.add("true");
    }
    h.add("access-control-max-age");
    h.add(Long.toString(c.maxAgeSeconds()));
    h.add("vary");
    h.add("origin");
    return new Answer(Outcome.RETURNED, 204, h, "", null);
  }

  private static HeaderEdits cors(HeaderEdits e, ActionConfig.Cors c, String origin) {
    e.set("Access-Control-Allow-Origin", allowOrigin(c, origin));
    if (c.credentials()) {
      e.set("Access-Control-Allow-Credentials", "true");
    }
    if (!c.exposeHeaders().isEmpty()) {
      e.set("Access-Control-Expose-Headers", String.join(", ", c.exposeHeaders()));
    }
    e.add("Vary", "Origin");
    return e;
  }

  /** {@code *} only where the standard allows it: without credentials. */
  private static String allowOrigin(ActionConfig.Cors c, String origin) {
    return c.origins().contains("*") && !c.credentials() ? "*" : origin;
  }
}
