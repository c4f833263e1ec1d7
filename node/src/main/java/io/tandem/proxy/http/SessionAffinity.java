package io.tandem.proxy.http;

import io.tandem.affinity.AffinityTable;
import io.tandem.affinity.Cookies;
import io.tandem.affinity.KeyBinding;
import io.tandem.config.PersistenceConfig;
import io.tandem.proxy.BackendAttempt;
import io.tandem.upstream.Backend;
import io.tandem.upstream.PoolSnapshot;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Session persistence of one request: which backend it is bound to, and what the response must record. In order of
 * precedence: the inserted cookie (an opaque backend token), a learned application cookie (its value was bound to a
 * backend when that backend set it), the client address. Lookups read local memory; a learned or source-address key
 * that is not in the local cache is looked up in the shared table asynchronously ({@link #remote()}).
 *
 * <p>One instance per request, confined to its event loop.
 */
final class SessionAffinity implements BackendAttempt.Affinity {
  private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

  private final PersistenceConfig config;
  private final AffinityTable table;
  private final PoolSnapshot pool;
  private final String clientIp;
  private final String cookieHeader;
  private boolean insertCookie;
  /** The learned cookie's or the client address's binding; null when the request has neither. */
  private KeyBinding binding;
  private String boundId;

  SessionAffinity(PoolSnapshot pool, AffinityTable table, String cookieHeader, String clientIp) {
    this.config = pool.config().persistence() == null ? PersistenceConfig.NONE : pool.config().persistence();
    this.table = table;
    this.pool = pool;
    this.clientIp = clientIp;
    this.cookieHeader = cookieHeader;
  }

  /**
   * The backend this request is bound to from local memory, or null (then {@link #needsRemote()} tells whether the
   * shared table must be asked).
   */
  @Override
  public Backend local() {
    if (config.type() == PersistenceConfig.Type.COOKIE) {
      String token = Cookies.find(cookieHeader, config.cookie().name());
      Backend b = token == null ? null : pool.byToken().get(token);
      if (b != null && b.acceptsBound()) {
        return bound(b);
      }
      insertCookie = true;
    }
    String key = null;
    if (config.learnCookie() != null) {
      String value = Cookies.find(cookieHeader, config.learnCookie());
      if (value != null && !value.isEmpty()) {
        key = value;
      }
    }
    if (key == null && config.type() == PersistenceConfig.Type.SOURCE_ADDRESS) {
      key = clientIp;
    }
    if (key == null) {
      return null;
    }
    binding = new KeyBinding(table, pool.name(), key, config.idleTimeout());
    return usable(binding.lookUpLocally());
  }

  /** Whether a key was found but not in local memory, so the shared table must be asked. */
  @Override
  public boolean needsRemote() {
    return binding != null && binding.needsRemote();
  }

  /** Asks the shared table for the key's backend; completes with it, or null. Never blocks. */
  @Override
  public CompletionStage<Backend> remote() {
    return binding.lookUpRemotely().thenApply(this::usable);
  }

  private Backend usable(String id) {
    Backend b = id == null ? null : pool.byId().get(id);
    return b != null && b.acceptsBound() ? bound(b) : null;
  }

  private Backend bound(Backend b) {
    boundId = b.id();
    return b;
  }

  /** The backend id a waiting request must be served by (its session's), or null for any. */
  @Override
  public String requiredBackendId() {
    return boundId;
  }

  /** The bound backend could not be reached: the request may go anywhere and the session moves with it. */
  @Override
  public void unbind() {
    boundId = null;
    insertCookie = config.type() == PersistenceConfig.Type.COOKIE;
  }

  /**
   * Records the session in the response headers and the shared table. Completes when what must be stored before the
   * response is released (a newly learned cookie binding) is stored; other bindings are made in the background.
   */
  CompletionStage<Void> record(MultiMap responseHeaders, Backend chosen) {
    String inserted = cookieToSet(chosen);
    if (inserted != null) {
      responseHeaders.add(HttpHeaders.SET_COOKIE, inserted);
    }
    return record(() -> responseHeaders.getAll(HttpHeaders.SET_COOKIE), chosen);
  }

  /** The {@code Set-Cookie} value the response must carry for an inserted cookie, or null. */
  String cookieToSet(Backend chosen) {
    return insertCookie ? setCookie(config.cookie(), chosen.cookieToken()) : null;
  }

  /**
   * Records the session in the shared table; {@code setCookies} gives the response's {@code Set-Cookie} values (read
   * only when a cookie is learned). Completes as {@link #record(MultiMap, Backend)} does: a newly learned binding is
   * waited for (at most {@link KeyBinding#SHARED_WAIT_MILLIS}), so the client's next request finds it on any node.
   */
  CompletionStage<Void> record(Supplier<List<String>> setCookies, Backend chosen) {
    CompletionStage<Void> wait = DONE;
    if (config.learnCookie() != null) {
      String learned = learnedValue(setCookies.get(), config.learnCookie());
      if (learned != null && (binding == null || !learned.equals(binding.key()))) {
        wait = new KeyBinding(table, pool.name(), learned, config.idleTimeout()).bindAndWait(chosen.id());
      }
    }
    if (binding != null) {
      binding.record(chosen.id());   // nothing when the key is already bound to the chosen backend
    }
    return wait;
  }

  /** The value a response sets for cookie {@code name}, or null. */
  static String learnedValue(List<String> setCookies, String name) {
    for (String sc : setCookies) {
      int eq = sc.indexOf('=');
      if (eq > 0 && sc.substring(0, eq).trim().equals(name)) {
        int end = sc.indexOf(';', eq);
        String value = (end < 0 ? sc.substring(eq + 1) : sc.substring(eq + 1, end)).trim();
        return value.isEmpty() ? null : value;
      }
    }
    return null;
  }

  static String setCookie(PersistenceConfig.Cookie c, String token) {
    StringBuilder sb = new StringBuilder(96).append(c.name()).append('=').append(token);
    sb.append("; Path=").append(c.path());
    if (c.maxAge() != null) {
      sb.append("; Max-Age=").append(c.maxAge().toSeconds());
    }
    if (c.secure()) {
      sb.append("; Secure");
    }
    if (c.httpOnly()) {
      sb.append("; HttpOnly");
    }
    if (c.sameSite() != null) {
      String s = c.sameSite().name();
      sb.append("; SameSite=").append(s.charAt(0)).append(s.substring(1).toLowerCase(java.util.Locale.ROOT));
    }
    return sb.toString();
  }
}
