package io.polysync.spi.tck.memory;

import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageError;
import io.polysync.spi.StorageProvider;
import io.polysync.spi.SyncException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The reference storage adapter: every part of the SPI, in memory, for the engine's tests and as
 * the adapter the compliance kit is first proven on.
 *
 * <p>URIs are {@code memory:NAME}. Every {@link #open} of the same NAME in one JVM shares one
 * database, so several {@link Storage} instances over it behave like several processes over one
 * server database (signals cross them, sequences stay strictly increasing across them). Nothing
 * survives the JVM.
 *
 * <p>With the option {@value #JOURNAL} (a file path), the storage instead logs every committed
 * change to that file, forced to disk before the change is acknowledged, and replays it on open:
 * it survives a kill, and is what the durability kit is proven on. A journaled storage is private
 * to its {@code open} (no {@link io.polysync.spi.Capability#MULTI_PROCESS}). The option {@value
 * #JOURNAL_FORCE}{@code =false} buffers the log of document, local document and blob changes in the
 * process instead, so a kill loses acknowledged writes: it exists to show that the durability kit
 * catches that.
 */
public final class InMemoryStorageProvider implements StorageProvider {
  /** The URI scheme. */
  public static final String SCHEME = "memory";
  /** The option naming a journal file, which makes the storage durable. */
  public static final String JOURNAL = "journal";
  /** The option that, set to {@code false}, acknowledges changes before they reach the disk. */
  public static final String JOURNAL_FORCE = "journalForce";

  // Static so that every open() of one name, from any provider instance ServiceLoader makes,
  // reaches the same database.
  private static final ConcurrentMap<String, MemoryDatabase> DATABASES = new ConcurrentHashMap<>();

  public InMemoryStorageProvider() {}

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public Set<String> schemes() {
    return Set.of(SCHEME);
  }

  @Override
  public Set<String> sensitiveOptions() {
    return Set.of();
  }

  @Override
  public Storage open(StorageConfig config) {
    if (!SCHEME.equals(config.scheme())) {
      throw new SyncException(
          StorageError.INVALID_CONFIGURATION, "not a memory: URI: " + config.redactedUri());
    }
    String name = config.uri().substring(SCHEME.length() + 1);
    if (name.isEmpty()) {
      throw new SyncException(
          StorageError.INVALID_CONFIGURATION, "memory: URI needs a database name, as in memory:test");
    }
    String journal = config.options().get(JOURNAL);
    if (journal != null) {
      MemoryDatabase db = new MemoryDatabase(name);
      Path path = Path.of(journal);
      MemoryJournal.replay(path, db);
      db.journal = new MemoryJournal(path, !"false".equals(config.options().get(JOURNAL_FORCE)));
      return new InMemoryStorage(db, true);
    }
    return new InMemoryStorage(DATABASES.computeIfAbsent(name, MemoryDatabase::new), false);
  }

  /**
   * Forgets the database {@code name}, so the next {@link #open} of it starts empty. Storages still
   * open on the old one keep working on it.
   */
  public static void discard(String name) {
    DATABASES.remove(name);
  }
}
