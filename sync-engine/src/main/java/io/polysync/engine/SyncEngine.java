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
 * try (SyncEngine engine = SyncEngine.open(StorageConfig.of("sqlite:./data/app.db"))) {
 *   Database notes = engine.createDatabase("notes");
 *   WriteOutcome.Ok ok = notes.put(doc);
 *   ChangesResult changes = notes.changes(ChangesOptions.since(0));
 * }
 * }</pre>
 *
 * <p>Thread-safe; one instance serves any number of threads.
 */
public interface SyncEngine extends AutoCloseable {
  /** Opens the storage {@code config} names (its adapter found with {@link Storages#open}); closing the engine closes it. */
  static SyncEngine open(StorageConfig config) {
    return open(config, EngineOptions.defaults());
  }

  static SyncEngine open(StorageConfig config, EngineOptions options) {
    return DefaultSyncEngine.create(Storages.open(config), options, true);
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

  /** Stops change subscriptions, wakes waiters, and closes the storage if the engine opened it. */
  @Override
  void close();
}
