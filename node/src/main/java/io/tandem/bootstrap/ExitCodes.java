package io.tandem.bootstrap;

/** The process exit codes of {@code tandem}, listed in {@code tandem --help}. */
final class ExitCodes {
  static final int OK = 0;
  static final int BAD_CONFIG = 1;
  /** Picocli's code for a command-line usage error. */
  static final int USAGE = 2;
  static final int START_FAILED = 3;
  /** A second stop signal cut the drain short, or the shutdown itself failed. */
  static final int UNCLEAN_STOP = 4;

  private ExitCodes() {}
}
