package io.polysync.spi;

/**
 * What a storage does natively. An adapter declares its set in full in {@link Capabilities}; the
 * engine checks before it calls and never guesses. Calling an operation whose capability was not
 * declared throws {@link SyncException} with {@link StorageError#UNSUPPORTED_CAPABILITY}.
 */
public enum Capability {
  /**
   * {@link QueryStore#query} answers at least some queries natively (push-down). Without it the
   * engine evaluates every query itself over {@link DocumentStore#range} scans.
   */
  QUERY_PUSHDOWN,
  /**
   * Change signals are pushed by the database across processes (PostgreSQL LISTEN/NOTIFY, MongoDB
   * change streams, Redis pub/sub). Without it, signals from other processes arrive by polling,
   * within {@link Capabilities#signalPollInterval()}.
   */
  NATIVE_CHANGE_SIGNALS,
  /** A whole write batch commits in one transaction (all items or none become visible). */
  ATOMIC_BATCHES,
  /** Several processes may open the same database at once (the scale-out shape). */
  MULTI_PROCESS,
  /**
   * {@link LocalStore#list} enumerates a namespace's local documents, which backups need (CouchDB's
   * replicator itself always names the checkpoint it reads). Without it, local documents are left
   * out of backups.
   */
  LOCAL_LISTING
}
