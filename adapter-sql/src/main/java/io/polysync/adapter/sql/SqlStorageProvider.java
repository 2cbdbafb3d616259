package io.polysync.adapter.sql;

import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageError;
import io.polysync.spi.StorageProvider;
import io.polysync.spi.SyncException;
import java.util.Set;

/**
 * Opens SQL storages: {@code sqlite:PATH}, {@code h2:PATH}, {@code h2:mem:NAME}, {@code
 * postgresql://[user[:password]@]host[:port]/database} (or {@code postgres://}), {@code
 * mariadb://...} and {@code mysql://...}. Query parameters of a URI and the config's options are
 * merged (options win); the adapter reads {@code pool.size}, {@code pool.timeout} (milliseconds)
 * and, for SQLite, {@code synchronous} ({@code normal} by default: durable across a process kill
 * but not across a power loss; {@code full} for that too), and passes every other parameter to the
 * JDBC driver. The schema is created or migrated on open.
 */
public final class SqlStorageProvider implements StorageProvider {
  private static final Set<String> SCHEMES =
      Set.of("sqlite", "h2", "postgresql", "postgres", "mariadb", "mysql");

  static {
    // jOOQ prints a banner and usage tips on first use unless told not to.
    if (System.getProperty("org.jooq.no-logo") == null) {
      System.setProperty("org.jooq.no-logo", "true");
    }
    if (System.getProperty("org.jooq.no-tips") == null) {
      System.setProperty("org.jooq.no-tips", "true");
    }
  }

  public SqlStorageProvider() {}

  @Override
  public String name() {
    return "sql";
  }

  @Override
  public Set<String> schemes() {
    return SCHEMES;
  }

  @Override
  public Storage open(StorageConfig config) {
    if (!SCHEMES.contains(config.scheme())) {
      throw new SyncException(
          StorageError.INVALID_CONFIGURATION,
          "the SQL adapter does not handle " + config.redactedUri());
    }
    return new SqlStorage(SqlDialectSupport.forConfig(config));
  }
}
