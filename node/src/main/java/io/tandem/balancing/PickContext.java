package io.tandem.balancing;

import io.tandem.util.Hashing;

/**
 * What a {@link LoadBalancer} may know about one pick: the hash of the request's affinity key (for the hash
 * algorithms) and the backends to skip (already tried, or at their connection limit). One instance per request,
 * used on one event loop only; not thread-safe.
 */
public final class PickContext {
  private static final Candidate[] NONE = new Candidate[0];

  private final long hash;
  private Candidate[] excluded = NONE;
  private int excludedCount;

  private PickContext(long hash) {
    this.hash = hash;
  }

  /** For algorithms that ignore keys. */
  public static PickContext create() {
    return new PickContext(0);
  }

  /** For the hash algorithms: {@code key} is hashed with {@link Hashing#hash(CharSequence)}. */
  public static PickContext forKey(CharSequence key) {
    return new PickContext(key == null ? 0 : Hashing.hash(key));
  }

  public static PickContext forHash(long hash) {
    return new PickContext(hash);
  }

  public long hash() {
    return hash;
  }

  /** Skip {@code backend} in later picks of this request. */
  public void exclude(Candidate backend) {
    if (excludedCount == excluded.length) {
      Candidate[] grown = new Candidate[Math.max(4, excludedCount * 2)];
      System.arraycopy(excluded, 0, grown, 0, excludedCount);
      excluded = grown;
    }
    excluded[excludedCount++] = backend;
  }

  public boolean isExcluded(Candidate backend) {
    for (int i = 0; i < excludedCount; i++) {
      Candidate b = excluded[i];
      if (b == backend || (b.id().equals(backend.id()) && b.pool().equals(backend.pool()))) {
        return true;
      }
    }
    return false;
  }

  public int excludedCount() {
    return excludedCount;
  }
}
