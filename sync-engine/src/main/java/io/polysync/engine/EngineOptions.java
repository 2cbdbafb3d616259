package io.polysync.engine;

/**
 * Engine-wide settings.
 *
 * @param defaultRevsLimit the revision depth kept per document in a database that never set its
 *     own {@code revs_limit} (CouchDB's default is 1000)
 * @param maxWriteAttempts how many times a batch item that lost a compare-and-set to a concurrent
 *     writer is re-read and re-applied before it is reported as a conflict
 * @param accessCacheMillis how long a user record or a database's security object read from
 *     storage is trusted before it is read again. Changes made through this engine take effect at
 *     once; this bounds how long one made by another process over the same storage may go unseen.
 *     0 reads storage on every check.
 */
public record EngineOptions(int defaultRevsLimit, int maxWriteAttempts, long accessCacheMillis) {
  public EngineOptions {
    if (defaultRevsLimit < 1) {
      throw new IllegalArgumentException("defaultRevsLimit must be positive: " + defaultRevsLimit);
    }
    if (maxWriteAttempts < 1) {
      throw new IllegalArgumentException("maxWriteAttempts must be positive: " + maxWriteAttempts);
    }
    if (accessCacheMillis < 0) {
      throw new IllegalArgumentException("accessCacheMillis must not be negative: " + accessCacheMillis);
    }
  }

  public EngineOptions(int defaultRevsLimit, int maxWriteAttempts) {
    this(defaultRevsLimit, maxWriteAttempts, 1000);
  }

  public static EngineOptions defaults() {
    return new EngineOptions(1000, 50, 1000);
  }

  public EngineOptions withDefaultRevsLimit(int limit) {
    return new EngineOptions(limit, maxWriteAttempts, accessCacheMillis);
  }

  public EngineOptions withAccessCacheMillis(long millis) {
    return new EngineOptions(defaultRevsLimit, maxWriteAttempts, millis);
  }
}
