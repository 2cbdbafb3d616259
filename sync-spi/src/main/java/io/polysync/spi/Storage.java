package io.polysync.spi;

/**
 * An open storage: one database, many namespaces.
 *
 * <p>Thread-safe: every method of every part may be called concurrently from any number of threads
 * (the server calls them from virtual threads). Several {@code Storage} instances, in one process
 * or in several, may be open on one database when {@link Capability#MULTI_PROCESS} is declared;
 * all invariants of the SPI then hold across them.
 *
 * <p>After {@link #close()} every call fails with {@link StorageError#UNAVAILABLE}.
 */
public interface Storage extends AutoCloseable {
  /** What this storage does natively; constant for the life of the instance. */
  Capabilities capabilities();

  NamespaceStore namespaces();

  DocumentStore documents();

  LocalStore locals();

  BlobStore blobs();

  /** Native queries; every call throws unless {@link Capability#QUERY_PUSHDOWN} is declared. */
  QueryStore queries();

  ChangeSignals signals();

  /** Releases connections and stops background threads. Idempotent. */
  @Override
  void close();
}
