package io.polysync.engine;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

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
 * @param encryption whether what the engine writes is sealed at rest (AES-256-GCM under a data key
 *     per database, see docs/security.md). On by default. Off, new writes are stored in clear,
 *     and values sealed earlier still open when a key provider is at hand.
 * @param keyProvider where the key-encryption keys come from. When empty, the engine takes the one
 *     {@link KeyProvider} plugin found with {@link java.util.ServiceLoader}, else the environment
 *     variable {@code POLYSYNC_MASTER_KEY} when set; with encryption on and none of these, opening
 *     the engine fails with {@link EngineError#KEY_UNAVAILABLE} rather than store anything in clear
 *     or invent a key nobody keeps.
 */
public record EngineOptions(
    int defaultRevsLimit, int maxWriteAttempts, long accessCacheMillis, boolean encryption,
    Optional<KeyProvider> keyProvider) {
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
    requireNonNull(keyProvider, "keyProvider is null");
  }

  public EngineOptions(int defaultRevsLimit, int maxWriteAttempts, long accessCacheMillis) {
    this(defaultRevsLimit, maxWriteAttempts, accessCacheMillis, true, Optional.empty());
  }

  public EngineOptions(int defaultRevsLimit, int maxWriteAttempts) {
    this(defaultRevsLimit, maxWriteAttempts, 1000);
  }

  /** Revision depth 1000, 50 write attempts, a 1-second access cache, encryption on. */
  public static EngineOptions defaults() {
    return new EngineOptions(1000, 50, 1000);
  }

  public EngineOptions withDefaultRevsLimit(int limit) {
    return new EngineOptions(limit, maxWriteAttempts, accessCacheMillis, encryption, keyProvider);
  }

  public EngineOptions withAccessCacheMillis(long millis) {
    return new EngineOptions(defaultRevsLimit, maxWriteAttempts, millis, encryption, keyProvider);
  }

  /** Turns sealing of new writes on or off; off is not recommended outside tests (docs/security.md). */
  public EngineOptions withEncryption(boolean on) {
    return new EngineOptions(defaultRevsLimit, maxWriteAttempts, accessCacheMillis, on, keyProvider);
  }

  public EngineOptions withKeyProvider(KeyProvider provider) {
    return new EngineOptions(defaultRevsLimit, maxWriteAttempts, accessCacheMillis, encryption,
        Optional.of(requireNonNull(provider, "provider is null")));
  }

  /** Keys from the key file {@code path}, created on first use: {@link KeyProvider#file(Path)}. */
  public EngineOptions withKeyFile(Path path) {
    return withKeyProvider(KeyProvider.file(path));
  }
}
