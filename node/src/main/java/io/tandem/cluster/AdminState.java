package io.tandem.cluster;

/** What an operator set for a backend. */
public enum AdminState {
  /** Takes new and existing sessions. */
  ENABLED,
  /** Keeps the sessions bound to it, takes no new ones. */
  DRAINING,
  /** Takes nothing. */
  DISABLED
}
