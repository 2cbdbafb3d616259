package io.polysync.bootstrap;

import io.polysync.protocol.spi.ProtocolFrontEnd;
import io.polysync.spi.StorageProvider;
import io.polysync.spi.Storages;
import io.polysync.spi.SyncException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Finds every plugin on the class path and refuses to start on none, on two claiming one scheme,
 * name or path, and on an SPI version mismatch — never skipping a broken one silently.
 */
final class Plugins {
  private static final System.Logger LOG = System.getLogger(Plugins.class.getName());

  private Plugins() {}

  static List<StorageProvider> storageProviders(ClassLoader loader) {
    List<StorageProvider> providers;
    try {
      providers = Storages.providers(loader);
    } catch (SyncException e) {
      throw new StartupException(e.getMessage(), e);
    }
    if (providers.isEmpty()) {
      throw new StartupException("no storage adapter found on the class path");
    }
    Map<String, String> owners = new HashMap<>();
    for (StorageProvider provider : providers) {
      for (String scheme : provider.schemes()) {
        String previous = owners.putIfAbsent(scheme, provider.name());
        if (previous != null) {
          throw new StartupException("storage adapters " + previous + " and " + provider.name()
              + " both claim the scheme '" + scheme + ":'");
        }
      }
      LOG.log(System.Logger.Level.INFO, "storage adapter " + provider.name() + " (SPI "
          + provider.spiVersion() + "): " + String.join(", ", new TreeSet<>(provider.schemes())));
    }
    return providers;
  }

  static List<ProtocolFrontEnd> frontEnds(ClassLoader loader) {
    List<ProtocolFrontEnd> found = new ArrayList<>();
    try {
      for (ProtocolFrontEnd frontEnd : ServiceLoader.load(ProtocolFrontEnd.class, loader)) {
        found.add(frontEnd);
      }
    } catch (ServiceConfigurationError e) {
      throw new StartupException("a protocol front-end failed to load: " + e.getMessage(), e);
    }
    if (found.isEmpty()) {
      throw new StartupException("no protocol front-end found on the class path");
    }
    Map<String, String> names = new HashMap<>();
    Map<String, String> prefixes = new HashMap<>();
    for (ProtocolFrontEnd frontEnd : found) {
      if (frontEnd.spiVersion() != ProtocolFrontEnd.SPI_VERSION) {
        throw new StartupException("protocol front-end " + frontEnd.name() + " implements SPI version "
            + frontEnd.spiVersion() + ", this Polysync needs " + ProtocolFrontEnd.SPI_VERSION);
      }
      if (names.putIfAbsent(frontEnd.name(), frontEnd.getClass().getName()) != null) {
        throw new StartupException("two protocol front-ends are named " + frontEnd.name());
      }
      String previous = prefixes.putIfAbsent(frontEnd.pathPrefix(), frontEnd.name());
      if (previous != null) {
        throw new StartupException("protocol front-ends " + previous + " and " + frontEnd.name()
            + " both claim the path " + frontEnd.pathPrefix());
      }
    }
    found.sort(Comparator.comparingInt(ProtocolFrontEnd::order).thenComparing(ProtocolFrontEnd::name));
    return List.copyOf(found);
  }
}
