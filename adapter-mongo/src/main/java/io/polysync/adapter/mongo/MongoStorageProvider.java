package io.polysync.adapter.mongo;

import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageProvider;
import java.util.Set;

/**
 * Opens MongoDB storages: {@code mongodb://[user[:password]@]host[:port][,host...]/database[?...]}
 * and {@code mongodb+srv://...}, exactly as the MongoDB Java driver's {@code ConnectionString}
 * reads them; the database is the URI's path and must be given. Query parameters go to the driver,
 * except the adapter's own, named {@code polysync.KEY}, which are merged with the configuration's
 * options (options win): {@code writePath} ({@code auto}, {@code transactions}, {@code lease}),
 * {@code signals} ({@code auto}, {@code change-streams}, {@code polling}), {@code leaseTimeout} and
 * {@code pollInterval} (milliseconds). The collections and indexes are created on open.
 *
 * <p>Loading this class touches no driver class, so the server can list providers cheaply.
 */
public final class MongoStorageProvider implements StorageProvider {
  public MongoStorageProvider() {}

  @Override
  public String name() {
    return "mongo";
  }

  @Override
  public Set<String> schemes() {
    return MongoSettings.SCHEMES;
  }

  @Override
  public Set<String> sensitiveOptions() {
    return Set.of("password");
  }

  @Override
  public Storage open(StorageConfig config) {
    return new MongoStorage(MongoSettings.parse(config));
  }
}
