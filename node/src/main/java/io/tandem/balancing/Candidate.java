package io.tandem.balancing;

/**
 * What an algorithm knows of a backend: which one it is and its weight. {@code io.tandem.upstream.Backend} is the one
 * the data path balances over; tests use small records of their own. A balancer returns the instances it was given.
 */
public interface Candidate {
  /** The pool the candidate belongs to. */
  String pool();

  /** Unique in its pool. */
  String id();

  /** 1..256 (anything below 1 counts as 1). */
  int weight();
}
