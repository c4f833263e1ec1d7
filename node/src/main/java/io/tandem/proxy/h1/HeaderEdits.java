package io.tandem.proxy.h1;

import java.util.ArrayList;
import java.util.List;

/**
 * The header changes actions make to one message: names removed (every field of each, compared on bytes without a
 * String per header) and fields added at the end, in order. A {@code set} is a removal and an addition. Built per
 * request only when a route has header actions; {@link HeadWriter} applies it while splicing, and the HTTP/2 path
 * applies the same to its header map.
 *
 * <pre>{@code
 * HeaderEdits e = new HeaderEdits();
 * e.remove("server");
 * e.add("X-Served-By", "tandem");
 * }</pre>
 */
public final class HeaderEdits {
  private final List<AsciiName> removed = new ArrayList<>(2);
  private final List<String> added = new ArrayList<>(4);   // name, value, name, value, ...

  /** Removes every field named {@code name}, those of the message and those added before. */
  public void remove(String name) {
    AsciiName n = AsciiName.of(name);
    if (!removes(n.name())) {
      removed.add(n);
    }
    for (int i = added.size() - 2; i >= 0; i -= 2) {
      if (added.get(i).equalsIgnoreCase(name)) {
        added.remove(i + 1);
        added.remove(i);
      }
    }
  }

  /** Appends a field. */
  public void add(String name, String value) {
    added.add(name);
    added.add(value);
  }

  /** Replaces every field named {@code name} with one. */
  public void set(String name, String value) {
    remove(name);
    add(name, value);
  }

  /** Whether the message's own field {@code i} goes. */
  public boolean removes(Head head, int i) {
    for (int r = 0; r < removed.size(); r++) {
      if (head.nameIs(i, removed.get(r))) {
        return true;
      }
    }
    return false;
  }

  /** Whether fields named {@code lowerName} (lower case) are removed from the message. */
  public boolean removes(String lowerName) {
    for (int r = 0; r < removed.size(); r++) {
      if (removed.get(r).name().equals(lowerName)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a field named {@code name} is among the added ones. */
  public boolean adds(String name) {
    for (int i = 0; i < added.size(); i += 2) {
      if (added.get(i).equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** The removed names, lower case. */
  public List<String> removedNames() {
    List<String> names = new ArrayList<>(removed.size());
    removed.forEach(n -> names.add(n.name()));
    return names;
  }

  /** The added fields: name, value, name, value, ... */
  public List<String> added() {
    return added;
  }

  public boolean isEmpty() {
    return removed.isEmpty() && added.isEmpty();
  }

  /** Bytes the added fields take, for sizing a buffer. */
  int addedLength() {
    int n = 0;
    for (String s : added) {
      n += s.length() + 2;
    }
    return n;
  }

  @Override
  public String toString() {
    return "remove " + removedNames() + ", add " + added;
  }
}
