package io.polysync.engine;

import io.polysync.engine.internal.DefaultSyncEngine;
import io.polysync.spi.Capabilities;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.Storages;
import java.util.List;

/**
 * The engine over one storage: databases and their documents, for the protocol front-ends and for
 * Java code that embeds Polysync.
 *
 * <pre>{@code
 * EngineOptions options = EngineOptions.defaults().withKeyFile(Path.of("./data/app.key"));
 * try (SyncEngine engine = SyncEngine.open(StorageConfig.of("sqlite:./data/app.db"), options)) {
 *   Database notes = engine.createDatabase("notes");
 *   WriteOutcome.Ok ok = notes.put(doc);
 *   ChangesResult changes = notes.changes(ChangesOptions.since(0));
 * }
 * }</pre>
 *
 * <p>What the engine stores is sealed at rest (AES-256-GCM) unless {@link EngineOptions#encryption()}
 * is off; the key-encryption keys come from {@link EngineOptions#keyProvider()}. See
 * docs/security.md for what stays in clear.
 *
 * <p>Thread-safe; one instance serves any number of threads.
 */
public interface SyncEngine extends AutoCloseable {
  /**
   * Opens the storage {@code config} names (its adapter found with {@link Storages#open}) with
   * {@link EngineOptions#defaults()}; closing the engine closes it. Encryption is on by default,
   * so this needs a key provider plugin or {@code POLYSYNC_MASTER_KEY}; otherwise pass options
   * with a key file.
   */
  static SyncEngine open(StorageConfig config) {
    return open(config, EngineOptions.defaults());
  }

  static SyncEngine open(StorageConfig config, EngineOptions options) {
    Storage storage = Storages.open(config);
    try {
      return DefaultSyncEngine.create(storage, options, true);
    } catch (RuntimeException e) {
      storage.close();
      throw e;
    }
  }

  /**
   * {@code storage} as the engine writes it: document states, local documents, blobs and metadata
   * values go down sealed under {@code options}' keys and come back opened. For a host that keeps
   * records of its own beside the engine's (the server keeps its session key as namespace
   * metadata); {@link #create} takes such a view as it is and does not seal twice. Closing the view
   * closes {@code storage}.
   *
   * @throws io.polysync.spi.SyncException {@link EngineError#KEY_UNAVAILABLE} when encryption is on
   *     and no key provider is at hand
   */
  static Storage sealedView(Storage storage, EngineOptions options) {
    return DefaultSyncEngine.seal(storage, options);
  }

  /** An engine over an open storage; closing the engine leaves the storage open. */
  static SyncEngine create(Storage storage, EngineOptions options) {
    return DefaultSyncEngine.create(storage, options, false);
  }

  Capabilities capabilities();

  /** The user accounts every front-end and every process on this storage share. */
  UserStore users();

  /**
   * Creates a database. Names follow CouchDB's rule: {@code ^[a-z][a-z0-9_$()+/-]*$}, at most 238
   * characters.
   *
   * @throws io.polysync.spi.SyncException {@link EngineError#INVALID_DATABASE_NAME}, {@link EngineError#DATABASE_EXISTS}
   */
  Database createDatabase(String name);

  /**
   * A database for a front-end's own records (Kinto's buckets and collections, say), created on
   * first use. Its name begins with {@code _} followed by {@code [a-z0-9_]}, which no protocol can
   * name as a database of its own, so no client reaches it through another front-end.
   *
   * @throws io.polysync.spi.SyncException {@link EngineError#INVALID_DATABASE_NAME} for another name
   */
  Database systemDatabase(String name);

  /** A handle on a database, without checking that it exists (operations do). */
  Database database(String name);

  boolean databaseExists(String name);

  /** @throws io.polysync.spi.SyncException {@link EngineError#DATABASE_NOT_FOUND} */
  void deleteDatabase(String name);

  /** Databases in name order strictly after {@code afterName} ("" for the start), at most {@code limit}. */
  List<DatabaseInfo> listDatabases(String afterName, int limit);

  /**
   * With encryption on, seals the user records still stored in clear from before it was turned on
   * (their password hashes above all) by writing each again unchanged; returns how many. Each such
   * user's sessions end, since the record's version changes. A no-op with encryption off, or once
   * done. Other clear values (documents, checkpoints, attachments) are sealed when next written.
   */
  int sealClearUserRecords();

  /** The data keys of every database by the key-encryption key that wraps them; changes nothing. */
  DataKeyReport dataKeyReport();

  /**
   * Wraps every data key that is not wrapped by the key provider's current key again under it (the
   * data keys themselves, and so the sealed data, do not change). Safe while other processes run:
   * they keep the data keys they unwrapped, and a data key another process creates under an older
   * key meanwhile is caught by calling this again. Old key-encryption keys may be dropped once the
   * report says {@link DataKeyReport#allCurrent()}.
   *
   * @throws io.polysync.spi.SyncException {@link EngineError#KEY_UNAVAILABLE} without a key provider
   */
  DataKeyReport rewrapDataKeys();

  /** Stops change subscriptions, wakes waiters, and closes the storage if the engine opened it. */
  @Override
  void close();
}
