package io.polysync.engine;

import io.polysync.engine.internal.LocalKeys;
import java.nio.file.Path;

/**
 * Where the engine's key-encryption keys live. The engine seals what it stores with a random data
 * key per database and keeps that data key in storage only wrapped by a provider's key, so that
 * whoever reads the database without the provider reads ciphertext.
 *
 * <p>Built in: {@link #file(Path)} (the server's default), {@link #environment()} and {@link
 * #ofKeys(String)}. Others (a KMS, an HSM) are plugins: a class with a public no-argument
 * constructor listed in {@code META-INF/services/io.polysync.engine.KeyProvider}, configured from
 * its own environment. A provider that wraps remotely never hands its key to the engine: the
 * engine only asks it to {@link #wrap} and {@link #unwrap} data keys, once per database and
 * process.
 *
 * <p>Implementations are thread-safe. Failures are {@link io.polysync.spi.SyncException}s with
 * {@link EngineError#KEY_UNAVAILABLE} (unknown key id, provider unreachable) or {@link
 * EngineError#CORRUPT_STATE} (a wrapped key that does not open).
 */
public interface KeyProvider {
  /** A short name for logs and for the server's {@code --key-provider}: {@code file}, {@code env}, a plugin's. */
  String name();

  /** Where the keys come from, for logs and messages; never the keys themselves. */
  String description();

  /**
   * The id of the key that {@link #wrap} uses now. It may change while the engine runs (a
   * rotation); the engine asks before it wraps, never caches it.
   */
  String currentKeyId();

  /**
   * Encrypts {@code dataKey} under the current key, binding {@code context} (which names the
   * database and the data key) so the result opens with that context only.
   */
  WrappedKey wrap(byte[] dataKey, byte[] context);

  /**
   * Decrypts a data key {@link #wrap} returned, given the same context.
   *
   * @throws io.polysync.spi.SyncException {@link EngineError#KEY_UNAVAILABLE} when the key {@code
   *     wrapped} names is not one of this provider's
   */
  byte[] unwrap(WrappedKey wrapped, byte[] context);

  /**
   * The keys of a key file, one base64 AES-256 key per line, the first the current one; created
   * with one fresh key and permissions {@code 0600} when absent. The file is read again when it
   * changes, so a running process follows {@code polysync keys rotate}. A file that others may
   * read or write is refused.
   */
  static KeyProvider file(Path path) {
    return LocalKeys.file(path);
  }

  /**
   * The keys in the environment variable {@code POLYSYNC_MASTER_KEY}: base64 AES-256 keys separated
   * by commas, the first the current one.
   *
   * @throws io.polysync.spi.SyncException {@link EngineError#KEY_UNAVAILABLE} when it is unset or
   *     malformed
   */
  static KeyProvider environment() {
    return LocalKeys.environment();
  }

  /** Fixed keys, written as for {@code POLYSYNC_MASTER_KEY} (for tests, or keys kept elsewhere). */
  static KeyProvider ofKeys(String base64Keys) {
    return LocalKeys.of("keys", "keys given in code", base64Keys);
  }

  /** A fresh random key in the form the key file and {@code POLYSYNC_MASTER_KEY} take. */
  static String generateKey() {
    return LocalKeys.generate();
  }

  /** The id {@link #ofKeys}, {@link #file} and {@link #environment} give a base64 key. */
  static String keyId(String base64Key) {
    return LocalKeys.idOf(base64Key);
  }

  /**
   * Puts a fresh key first in the key file {@code path}, keeping the older keys below it for
   * unwrapping, and returns its id: the first step of {@code polysync keys rotate}. Processes that
   * read the file see the change within a second.
   */
  static String addKeyToFile(Path path) {
    return LocalKeys.addKey(path);
  }

  /**
   * Keeps only the current key in the key file {@code path} and returns the ids dropped: the last
   * step of a rotation, once {@link SyncEngine#rewrapDataKeys()} reports every data key current.
   */
  static java.util.List<String> dropOlderKeysFromFile(Path path) {
    return LocalKeys.dropOlderKeys(path);
  }
}
