package io.polysync.engine.internal;

import io.polysync.engine.EngineError;
import io.polysync.spi.SyncException;

/**
 * A revision id {@code N-hash}. The engine generates 32 lowercase hex characters, but accepts any
 * hash of printable ASCII from replication, since clients copy rev ids verbatim and tests of other
 * implementations use short ones such as {@code 1-a}.
 */
record Rev(long gen, String hash) implements Comparable<Rev> {
  /** Longer ids are refused: no implementation produces them and they bloat every state. */
  static final int MAX_LENGTH = 200;

  public Rev {
    if (gen <= 0 || hash.isEmpty()) {
      throw new IllegalArgumentException("bad revision " + gen + "-" + hash);
    }
  }

  public static Rev parse(String text) {
    if (text == null || text.length() > MAX_LENGTH) {
      throw invalid(text);
    }
    int dash = text.indexOf('-');
    if (dash <= 0 || dash > 18 || dash == text.length() - 1) {
      throw invalid(text);
    }
    long gen = 0;
    for (int i = 0; i < dash; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        throw invalid(text);
      }
      gen = gen * 10 + (c - '0');
    }
    if (gen == 0) {
      throw invalid(text);
    }
    for (int i = dash + 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        throw invalid(text);
      }
    }
    return new Rev(gen, text.substring(dash + 1));
  }

  private static SyncException invalid(String text) {
    return new SyncException(EngineError.INVALID_REVISION, "Invalid rev format: " + text);
  }

  /** Generation first, then the hash as a string: the tie-break CouchDB and PouchDB share. */
  @Override
  public int compareTo(Rev other) {
    int c = Long.compare(gen, other.gen);
    return c != 0 ? c : hash.compareTo(other.hash);
  }

  @Override
  public String toString() {
    return gen + "-" + hash;
  }
}
