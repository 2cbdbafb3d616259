package io.polysync.spi;

import java.util.List;
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
   * Local documents in id order ({@link Names#compare}) strictly after {@code afterId} ({@code ""}
   * for the start), at most {@code limit}. For maintenance such as backups, not the request path:
   * CouchDB's replicator names the checkpoints it reads.
   *
   * <p>Only with {@link Capability#LOCAL_LISTING}; the default throws, so adapters written before
   * the method existed keep working.
   *
   * @throws SyncException {@link StorageError#UNSUPPORTED_CAPABILITY} when the capability is not
   *     declared; {@link StorageError#INVALID_ARGUMENT} for a limit below 1
   */
  default List<LocalDocument> list(String namespace, String afterId, int limit) {
    throw new SyncException(StorageError.UNSUPPORTED_CAPABILITY, "this storage cannot list local documents");
  }

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
