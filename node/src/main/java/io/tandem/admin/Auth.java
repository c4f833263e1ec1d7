package io.tandem.admin;

import io.tandem.config.AdminConfig;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * Bearer-token checks. State-changing calls always need the configured token; reads need it when
 * {@code reads-need-token} is set. The comparison is constant-time over SHA-256 digests (length does not leak
 * either), and the token is never logged: callers are named by its fingerprint, the first 8 hex digits of its SHA-256.
 */
final class Auth {
  static final String CALLER = "tandem.admin.caller";
  private final Supplier<AdminConfig> config;

  Auth(Supplier<AdminConfig> config) {
    this.config = config;
  }

  /** Route handler for reads: passes unless reads need the token and the request lacks it. */
  void read(RoutingContext ctx) {
    AdminConfig cfg = config.get();
    if (!cfg.readsNeedToken()) {
      ctx.next();
      return;
    }
    check(ctx, cfg);
  }

  /** Route handler for state-changing calls. */
  void change(RoutingContext ctx) {
    AdminConfig cfg = config.get();
    if (cfg.token() == null) {
      ctx.put(CALLER, address(ctx));
      Json.error(ctx, 403, "no admin token configured: set admin.token or admin.token-file to allow changes", null);
      return;
    }
    check(ctx, cfg);
  }

  private void check(RoutingContext ctx, AdminConfig cfg) {
    String header = ctx.request().getHeader("Authorization");
    String problem;
    if (header == null) {
      problem = "missing bearer token (Authorization: Bearer <token>)";
    } else if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      problem = "the Authorization header must be Bearer <token>";
    } else if (cfg.token() == null || !matches(header.substring(7).strip(), cfg.token())) {
      problem = "wrong bearer token";
    } else {
      ctx.put(CALLER, address(ctx) + " token:" + fingerprint(cfg.token()));
      ctx.next();
      return;
    }
    ctx.put(CALLER, address(ctx) + (header == null ? " no token" : " rejected token"));
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"tandem-admin\"");
    Json.error(ctx, 401, problem, null);
  }

  static boolean matches(String presented, String expected) {
    return MessageDigest.isEqual(sha256(presented), sha256(expected));
  }

  /** First 8 hex digits of the token's SHA-256: names a caller in the audit log without revealing the token. */
  static String fingerprint(String token) {
    return HexFormat.of().formatHex(sha256(token)).substring(0, 8);
  }

  private static String address(RoutingContext ctx) {
    return String.valueOf(ctx.request().remoteAddress());
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
