package io.tandem.config;

import static io.tandem.config.ConfigTexts.errors;
import static io.tandem.config.ConfigTexts.listener;
import static io.tandem.config.ConfigTexts.parses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code actions} and {@code error-pages} of routes and listeners: what is read, and every error message. */
class ActionConfigTest {
  private static String route(String actions) {
    return listener("""
        routes:
          - match: {path-prefix: /api/}
            pool: app
            actions:
        """ + actions.indent(6));
  }

  private static final String AT = "listeners[0].routes[0].actions[0]";

  @Test
  void readsEveryKindInOrder() {
    TandemConfig c = parses(route("""
        - strip-prefix: /api
        - set-request-header: {name: X-Client, value: "${client.address}:${client.port}"}
        - remove-response-header: Server
        - replace-prefix: /v2/
        - regex-rewrite: {pattern: "^/a/(.*)$", replacement: "/b/$1"}
        - set-host: api.internal
        - allow: {sources: [10.0.0.0/8], methods: [GET]}
        - cors: {allowed-origins: ["*"]}
        - redirect: {status: 307, scheme: https}
        - return: {status: 404, body: nope}
        - compress: {types: [application/json, "text/*"], min-size: 2KiB, level: 5}
        """));
    List<ActionConfig> actions = c.listeners().get(0).routes().get(0).actions();
    assertEquals(11, actions.size());
    assertEquals(new ActionConfig.Compress(List.of("application/json", "text/*"), 2048, 5), actions.get(10));
    assertEquals(new ActionConfig.StripPrefix("/api"), actions.get(0));
    ActionConfig.Header h = (ActionConfig.Header) actions.get(1);
    assertEquals(ActionConfig.Side.REQUEST, h.side());
    assertEquals(ActionConfig.Op.SET, h.op());
    assertEquals("x-client", h.lower());
    assertEquals(new ActionConfig.Header(ActionConfig.Side.RESPONSE, ActionConfig.Op.REMOVE, "Server", null),
        actions.get(2));
    assertEquals(new ActionConfig.ReplacePrefix("/api/", "/v2/"), actions.get(3));
    ActionConfig.Cors cors = (ActionConfig.Cors) actions.get(7);
    assertEquals(List.of("GET", "HEAD", "POST"), cors.methods());
    assertEquals(600, cors.maxAgeSeconds());
    ActionConfig.Redirect r = (ActionConfig.Redirect) actions.get(8);
    assertEquals(307, r.status());
    assertEquals("https", r.scheme());
    assertEquals(new ActionConfig.Return(404, "nope", "text/plain; charset=utf-8"), actions.get(9));
  }

  @Test
  void aRouteThatAlwaysAnswersNeedsNoPool() {
    TandemConfig c = parses(listener("""
        routes:
          - match: {path-prefix: /old/}
            actions: [{redirect: {prefix: /new/}}]
        """));
    assertNull(c.listeners().get(0).routes().get(0).pool());
    assertEquals(List.of("listeners[0].routes[0].pool: is required"), errors(listener("""
        routes:
          - match: {path-prefix: /x/}
            actions: [{allow: {sources: [10.0.0.0/8]}}]
        """)));
  }

  @Test
  void shapeErrors() {
    assertEquals(List.of(AT + ": one action per list item, got 2 keys; split it into 2 items (they run in order)"),
        errors(route("- {strip-prefix: /a, set-host: b}")));
    assertEquals(List.of(AT + ": unknown key \"rewrite\"; expected one of: " + String.join(", ", ActionReader.KINDS)),
        errors(route("- rewrite: /a")));
    assertEquals(List.of(AT + ": must be a mapping, got \"strip\""), errors(route("- strip")));
    assertEquals(List.of(AT + ".set-request-header.value: is required"),
        errors(route("- set-request-header: {name: X-A}")));
  }

  @Test
  void valueErrors() {
    assertEquals(List.of(AT + ".set-request-header.value: unknown variable ${client.ip}; known: ${client.address}, "
        + "${client.port}, ${request.id}, ${scheme}, ${host}, ${sni}, ${client.cert.subject}, ${route}, ${pool}"),
        errors(route("- set-request-header: {name: X-A, value: \"${client.ip}\"}")));
    assertEquals(List.of(AT + ".add-response-header.value: unclosed ${ in \"${pool\""),
        errors(route("- add-response-header: {name: X-A, value: \"${pool\"}")));
    assertEquals(List.of(AT + ".set-request-header.name: Content-Length frames the message or concerns one "
        + "connection; Tandem sets it"), errors(route("- set-request-header: {name: Content-Length, value: \"1\"}")));
    assertEquals(List.of(AT + ".remove-request-header: use set-host to change Host"),
        errors(route("- remove-request-header: Host")));
    assertEquals(List.of(AT + ".strip-prefix: must be a path starting with /, got \"api\""),
        errors(route("- strip-prefix: api")));
    assertEquals(List.of(AT + ".regex-rewrite.replacement: uses $2 but the pattern has 1 group(s)"),
        errors(route("- regex-rewrite: {pattern: \"^/(a)\", replacement: \"/$2\"}")));
    assertEquals(List.of(AT + ".redirect.status: must be one of 301, 302, 303, 307, 308, got 305"),
        errors(route("- redirect: {status: 305}")));
    assertEquals(List.of(AT + ".redirect.prefix: set path (the whole path) or prefix (the route's match.path-prefix"
        + " replaced), not both"), errors(route("- redirect: {path: /a, prefix: /b}")));
    assertEquals(List.of(AT + ".redirect.scheme: must be http or https, got \"ftp\""),
        errors(route("- redirect: {scheme: ftp}")));
    assertEquals(List.of(AT + ".allow.sources[0]: must be an IP address or network such as 10.0.0.0/8 or fd00::/8,"
        + " got \"office\""), errors(route("- allow: {sources: [office]}")));
    assertEquals(List.of(AT + ".deny: needs at least one of sources, methods, client-cert-subjects"),
        errors(route("- deny: {}")));
    assertEquals(List.of(AT + ".cors.allowed-origins: is required: the origins allowed (* for any)"),
        errors(route("- cors: {allow-credentials: true}")));
    assertEquals(List.of(AT + ".cors.allowed-origins[0]: must be * or an origin such as https://app.example.com, "
        + "got \"app.example.com\""), errors(route("- cors: {allowed-origins: [app.example.com]}")));
    assertEquals(List.of(AT + ".compress.types[0]: must be a media type such as application/json or text/*, got "
        + "\"json\""), errors(route("- compress: {types: [json]}")));
    assertEquals(List.of(AT + ".compress.level: must be between 1 and 9, got 11"),
        errors(route("- compress: {level: 11}")));
    assertEquals(List.of(AT + ": is empty; expected one of: " + String.join(", ", ActionReader.KINDS)),
        errors(route("- {}")));
    assertEquals(List.of(AT + ".redirect.query: must be keep or drop, got \"strip\""),
        errors(route("- redirect: {query: strip}")));
    assertEquals(List.of(AT + ".redirect.host: must be a host name, not a pattern, got \"*.example.com\""),
        errors(route("- redirect: {host: \"*.example.com\"}")));
    assertEquals(List.of(AT + ".redirect.port: must be between 1 and 65535, got 0"),
        errors(route("- redirect: {port: 0}")));
    assertEquals(List.of(AT + ".set-request-header.name: must be a header name (letters, digits and "
        + "!#$%&'*+-.^_`|~), got \"X A\""), errors(route("- set-request-header: {name: X A, value: v}")));
    assertEquals(List.of(AT + ".cors.allowed-methods[0]: must be an upper-case HTTP method like GET, got \"get\""),
        errors(route("- cors: {allowed-origins: [\"*\"], allowed-methods: [get]}")));
    assertEquals(List.of(AT + ".allow.client-cert-subjects[0]: invalid regex: Unclosed group near index 4 of "
        + "\"CN=(\""), errors(route("- allow: {client-cert-subjects: [\"CN=(\"]}")));
    assertEquals(List.of(AT + ".return.body: a 204 answer has no body"),
        errors(route("- return: {status: 204, body: x}")));
  }

  @Test
  void prefixActionsNeedARoutePrefix() {
    assertEquals(List.of("listeners[0].actions[0].replace-prefix: replaces the route's match.path-prefix, and there "
        + "is none here; use strip-prefix or regex-rewrite"), errors(listener("actions: [{replace-prefix: /v2/}]")));
    assertEquals(List.of("listeners[0].actions[0].redirect.prefix: replaces the route's match.path-prefix, and there "
        + "is none here; use path"), errors(listener("actions: [{redirect: {prefix: /v2/}}]")));
  }

  @Test
  void filesAreReadAtLoadAndTheirErrorsNamed() {
    String missing = errors(listener("error-pages: {503: no-such.html}")).get(0);
    assertEquals("listeners[0].error-pages.503: cannot read no-such.html: NoSuchFileException no-such.html",
        missing);
    assertEquals(List.of("listeners[0].error-pages.200: the key must be a status of an answer Tandem makes itself,"
        + " 400-599 (e.g. 503), got \"200\""), errors(listener("error-pages: {200: ok.html}")));
    assertEquals(List.of(AT + ".return.file: set body or file, not both"),
        errors(route("- return: {body: a, file: b.txt}")));
    assertEquals(List.of("listeners[0].actions: applies only to http listeners; this listener is tcp"),
        errors("""
            listeners:
              - {name: t, bind: 127.0.0.1:9000, protocol: tcp, pool: app, actions: [{set-host: a}]}
            pools:
              - {name: app, backends: [{address: 127.0.0.1:9001}]}
            """));
  }

  @Test
  void templatesRenderVariablesAndEscapes() {
    ValueTemplate t = ValueTemplate.parse("$$${pool}-${client.cert.subject}");
    assertEquals("$web-CN=a b", t.render(v -> v == ValueTemplate.Var.POOL ? "web" : "CN=a\r\nb".replace("\r\n", " ")));
    assertEquals("CN=x y", ValueTemplate.parse("${sni}").render(v -> "CN=x\ny"), "control characters become spaces");
    assertEquals("plain", ValueTemplate.parse("plain").render(v -> {
      throw new AssertionError("a constant asks for no variable");
    }));
    assertThrows(IllegalArgumentException.class, () -> ValueTemplate.parse("a $ b"));
  }

  private static String routes(String routes) {
    return listener("default-pool: app\nroutes:\n" + routes.indent(2)) + """
          - name: canary
            backends: [{address: 127.0.0.1:9002}]
        """;
  }

  @Test
  void splitAndMirrorAreReadAndChecked() {
    TandemConfig c = parses(routes("""
        - match: {path-prefix: /s/}
          split: [{pool: app, weight: 80}, {pool: canary, weight: 20}]
          mirror: {pool: canary, percent: 12.5, max-body: 1KiB}
        """));
    RouteConfig r = c.listeners().get(0).routes().get(0);
    assertNull(r.pool());
    assertEquals(List.of(new RouteConfig.SplitTarget("app", 80), new RouteConfig.SplitTarget("canary", 20)),
        r.split());
    assertEquals(new RouteConfig.Mirror("canary", 12.5, 1024), r.mirror());
    String at = "listeners[0].routes[0].";
    assertEquals(List.of(at + "split: set pool or split, not both"), errors(routes("""
        - {pool: app, split: [{pool: app}, {pool: canary}]}
        """)));
    assertEquals(List.of(at + "split: needs at least two pools (a route to one pool names it with pool)"),
        errors(routes("- {split: [{pool: app}]}")));
    assertEquals(List.of(at + "split: names a pool twice; give each pool one entry with its whole weight"),
        errors(routes("- {split: [{pool: app}, {pool: app}]}")));
    assertEquals(List.of(at + "split: every weight is 0: at least one pool must take requests"),
        errors(routes("- {split: [{pool: app, weight: 0}, {pool: canary, weight: 0}]}")));
    assertEquals(List.of(at + "split[1].pool: unknown pool \"canry\"; defined pools: app, canary"),
        errors(routes("- {split: [{pool: app}, {pool: canry}]}")));
    assertEquals(List.of(at + "mirror.percent: must be a number from 0 to 100, got 120"),
        errors(routes("- {pool: app, mirror: {pool: canary, percent: 120}}")));
    assertEquals(List.of(at + "mirror.pool: is required"), errors(routes("- {pool: app, mirror: {percent: 5}}")));
  }

  @Test
  void aPoolsHostHeaderIsChecked() {
    assertEquals("api.internal:8443", parses(ConfigTexts.pool("host-header: api.internal:8443")).pools().get(0)
        .hostHeader());
    assertEquals(List.of("pools[0].host-header: must be a host name with an optional :port, got \"a b\""),
        errors(ConfigTexts.pool("host-header: a b")));
  }

  @Test
  void clientAddressNeedsItsTrustedProxies() {
    assertEquals(List.of("listeners[0].client-address.trusted: is required: the proxies (addresses or networks such as"
        + " 10.0.0.0/8) allowed to name the client; a header from anyone else is ignored"),
        errors(listener("client-address: {header: X-Real-IP}")));
    ClientAddressConfig c = parses(listener("client-address: {trusted: [10.0.0.0/8]}")).listeners().get(0)
        .clientAddress();
    assertEquals("X-Forwarded-For", c.header());
  }
}
