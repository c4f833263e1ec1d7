package io.tandem.bootstrap;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs {@code tandem ARGS} in-process and keeps the exit code and what it printed. */
record CommandRun(int code, String out, String err) {
  static CommandRun of(Launcher launcher, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(launcher, args, new PrintWriter(out), new PrintWriter(err));
    return new CommandRun(code, out.toString(), err.toString());
  }
}
