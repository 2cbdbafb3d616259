package io.polysync.spi;

import java.util.Optional;

/**
 * Attachment bytes, content-addressed: the engine picks the key (a digest of the content it hands
 * over), so writing the same key twice stores the same bytes and is a no-op. Thread-safe; throws
 * {@link StorageError#NAMESPACE_NOT_FOUND} for an unknown namespace.
 */
public interface BlobStore {
  /**
   * Stores {@code data} under {@code key}, durably, before returning. Idempotent.
   *
   * @throws SyncException {@link StorageError#VALUE_TOO_LARGE} above {@link
   *     Capabilities#maxValueBytes()}
   */
  void put(String namespace, String key, byte[] data);

  Optional<byte[]> get(String namespace, String key);

  /** Removes the blob; returns whether it existed. */
  boolean delete(String namespace, String key);
}
