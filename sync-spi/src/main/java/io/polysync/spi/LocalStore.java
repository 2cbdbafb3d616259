package io.polysync.spi;

import java.util.Optional;

/**
 * Local documents: per-namespace key/value pairs with compare-and-set versions. Hot path: a live
 * CouchDB replication reads and writes its checkpoint on every batch, so each call must be one
 * indexed statement. Thread-safe; throws {@link StorageError#NAMESPACE_NOT_FOUND} for an unknown
 * namespace.
 */
public interface LocalStore {
  Optional<LocalDocument> get(String namespace, String id);

  /**
   * Writes {@code body} if the stored version is {@code expectedVersion} (0: must not exist).
   *
   * @return the new version
   * @throws SyncException {@link StorageError#LOCAL_CONFLICT} if the version did not match (nothing
   *     changed), {@link StorageError#VALUE_TOO_LARGE} if the body is too large
   */
  long put(String namespace, String id, byte[] body, long expectedVersion);

  /**
   * Deletes the document if the stored version is {@code expectedVersion}.
   *
   * @throws SyncException {@link StorageError#LOCAL_CONFLICT} if it is absent or the version did
   *     not match
   */
  void delete(String namespace, String id, long expectedVersion);
}
