package io.polysync.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds the {@link StorageProvider} for a URI on the class path and opens it. Fails loudly on a
 * broken provider, on two providers claiming one scheme, and on an SPI version mismatch, rather
 * than skipping them as JDBC's {@code DriverManager} does.
 */
public final class Storages {
  private Storages() {}

  /** Every provider on the class path of {@code loader}. */
  public static List<StorageProvider> providers(ClassLoader loader) {
    List<StorageProvider> found = new ArrayList<>();
    try {
      for (StorageProvider provider : ServiceLoader.load(StorageProvider.class, loader)) {
        if (provider.spiVersion() != StorageProvider.SPI_VERSION) {
          throw new SyncException(
              StorageError.INVALID_CONFIGURATION,
              "storage provider " + provider.name() + " implements SPI version "
                  + provider.spiVersion() + ", this Polysync needs " + StorageProvider.SPI_VERSION);
        }
        found.add(provider);
      }
    } catch (ServiceConfigurationError e) {
      throw new SyncException(
          StorageError.INVALID_CONFIGURATION, "a storage provider failed to load: " + e.getMessage(), e);
    }
    return List.copyOf(found);
  }

  /** The one provider that handles {@code config}'s scheme. */
  public static StorageProvider provider(StorageConfig config, ClassLoader loader) {
    String scheme = config.scheme();
    List<StorageProvider> matching =
        providers(loader).stream().filter(p -> p.schemes().contains(scheme)).toList();
    if (matching.isEmpty()) {
      throw new SyncException(
          StorageError.INVALID_CONFIGURATION,
          "no storage adapter handles '" + scheme + ":' (installed: "
              + providers(loader).stream().flatMap(p -> p.schemes().stream()).sorted().toList() + ")");
    }
    if (matching.size() > 1) {
      throw new SyncException(
          StorageError.INVALID_CONFIGURATION,
          "several storage adapters claim '" + scheme + ":': "
              + matching.stream().map(StorageProvider::name).toList());
    }
    return matching.get(0);
  }

  /** Opens {@code config} with the provider for its scheme, from this class's loader. */
  public static Storage open(StorageConfig config) {
    return provider(config, Storages.class.getClassLoader()).open(config);
  }
}
