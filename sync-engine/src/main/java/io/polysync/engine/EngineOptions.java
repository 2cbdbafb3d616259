package io.polysync.engine;

/**
 * Engine-wide settings.
 *
 * @param defaultRevsLimit the revision depth kept per document in a database that never set its
 *     own {@code revs_limit} (CouchDB's default is 1000)
 * @param maxWriteAttempts how many times a batch item that lost a compare-and-set to a concurrent
 *     writer is re-read and re-applied before it is reported as a conflict
 */
public record EngineOptions(int defaultRevsLimit, int maxWriteAttempts) {
  public EngineOptions {
    if (defaultRevsLimit < 1) {
      throw new IllegalArgumentException("defaultRevsLimit must be positive: " + defaultRevsLimit);
    }
    if (maxWriteAttempts < 1) {
      throw new IllegalArgumentException("maxWriteAttempts must be positive: " + maxWriteAttempts);
    }
  }

  public static EngineOptions defaults() {
    return new EngineOptions(1000, 50);
  }

  public EngineOptions withDefaultRevsLimit(int limit) {
    return new EngineOptions(limit, maxWriteAttempts);
  }
}
