package io.polysync.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Namespaces: independent sets of documents, each with its own sequence and timestamp. A CouchDB
 * database and a Kinto collection each map to one namespace.
 *
 * <p>Thread-safe. {@link #get} is on the hot path (CouchDB clients ask for database info about ten
 * times per document written): it must be a single indexed read, never a count over documents.
 */
public interface NamespaceStore {
  /**
   * Creates an empty namespace with {@code lastSeq} 0.
   *
   * @throws SyncException {@link StorageError#NAMESPACE_EXISTS} if it exists, {@link
   *     StorageError#INVALID_NAMESPACE_NAME} for a bad name
   */
  NamespaceInfo create(String name, Map<String, String> metadata);

  /** The namespace with its current counters, or empty. */
  Optional<NamespaceInfo> get(String name);

  /**
   * Namespaces in ascending name order (Unicode code point order), strictly after {@code afterName}
   * ("" for the start), at most {@code limit}.
   */
  List<NamespaceInfo> list(String afterName, int limit);

  /**
   * Sets ({@code value} non-null) or removes ({@code value} null) one metadata entry.
   *
   * @throws SyncException {@link StorageError#NAMESPACE_NOT_FOUND}
   */
  NamespaceInfo putMetadata(String name, String key, String value);

  /**
   * Deletes the namespace with all its documents, local documents and blobs. A namespace created
   * later under the same name starts empty, at sequence 0.
   *
   * @throws SyncException {@link StorageError#NAMESPACE_NOT_FOUND}
   */
  void drop(String name);
}
