package io.polysync.bootstrap;

import io.polysync.protocol.spi.AuthenticatorContext;
import io.polysync.protocol.spi.HttpAuthenticator;
import io.polysync.protocol.spi.HttpAuthenticatorProvider;
import io.polysync.protocol.spi.ProtocolFrontEnd;
import io.polysync.spi.StorageProvider;
import io.polysync.spi.Storages;
import io.polysync.spi.SyncException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  /**
   * The HTTP authenticators the settings switch on, in the order to ask them. A provider whose
   * settings are wrong stops the server with its message.
   */
  static List<HttpAuthenticator> authenticators(ClassLoader loader, AuthenticatorContext context) {
    List<HttpAuthenticatorProvider> providers = new ArrayList<>();
    try {
      for (HttpAuthenticatorProvider provider : ServiceLoader.load(HttpAuthenticatorProvider.class, loader)) {
        providers.add(provider);
      }
    } catch (ServiceConfigurationError e) {
      throw new StartupException("an authenticator failed to load: " + e.getMessage(), e);
    }
    Map<String, String> names = new HashMap<>();
    for (HttpAuthenticatorProvider provider : providers) {
      String previous = names.putIfAbsent(provider.name(), provider.getClass().getName());
      if (previous != null) {
        throw new StartupException("two authenticators are named " + provider.name() + ": " + previous
            + " and " + provider.getClass().getName());
      }
    }
    providers.sort(Comparator.comparingInt(HttpAuthenticatorProvider::order)
        .thenComparing(HttpAuthenticatorProvider::name));
    List<HttpAuthenticator> chain = new ArrayList<>();
    for (HttpAuthenticatorProvider provider : providers) {
      Optional<HttpAuthenticator> authenticator;
      try {
        authenticator = provider.create(context);
      } catch (IllegalArgumentException e) {
        throw new StartupException("authenticator " + provider.name() + ": " + e.getMessage(), e);
      }
      authenticator.ifPresent(a -> {
        chain.add(a);
        LOG.log(System.Logger.Level.INFO, "authenticator " + a.name() + " (order " + provider.order() + ")");
      });
    }
    if (chain.isEmpty()) {
      LOG.log(System.Logger.Level.WARNING, "no authenticator is on: every request is anonymous");
    }
    return List.copyOf(chain);
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
