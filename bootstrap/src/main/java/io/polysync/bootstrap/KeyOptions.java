package io.polysync.bootstrap;

import static java.util.Objects.requireNonNull;

import io.polysync.engine.EngineOptions;
import io.polysync.engine.KeyProvider;
import io.polysync.engine.WrappedKey;
import io.polysync.spi.SyncException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Encryption at rest as the server is told to run it, and the key provider that follows.
 *
 * @param encryption whether new writes are sealed ({@code --encryption on}, the default)
 * @param provider {@code auto}, {@code file}, {@code env}, or the name of an installed {@link
 *     KeyProvider} plugin. {@code auto} takes the one plugin installed, else {@code env} when
 *     a master key is set, else {@code file}.
 * @param keyFile the key file; {@code <data>/polysync.key} when empty
 * @param masterKey the keys of the {@code env} provider ({@code encryption.master-key}: {@code
 *     POLYSYNC_MASTER_KEY}, its {@code _FILE} form, or the configuration file)
 */
record KeyOptions(boolean encryption, String provider, Optional<Path> keyFile, Optional<MasterKey> masterKey) {
  static final String ENVIRONMENT_VARIABLE = "POLYSYNC_MASTER_KEY";
  static final String DEFAULT_FILE = "polysync.key";

  KeyOptions {
    requireNonNull(provider, "provider is null");
    requireNonNull(keyFile, "keyFile is null");
    requireNonNull(masterKey, "masterKey is null");
  }

  /** Without a master key. */
  KeyOptions(boolean encryption, String provider, Optional<Path> keyFile) {
    this(encryption, provider, keyFile, Optional.empty());
  }

  /**
   * Base64 keys, comma-separated, current first, and where they were given.
   *
   * @param origin {@code POLYSYNC_MASTER_KEY}, {@code POLYSYNC_MASTER_KEY_FILE /run/secrets/key}, ...
   */
  record MasterKey(String keys, String origin) {
    MasterKey {
      requireNonNull(keys, "keys is null");
      requireNonNull(origin, "origin is null");
    }

    /** Where the keys are, for logs and for {@code polysync keys}: "environment variable POLYSYNC_MASTER_KEY". */
    String description() {
      int space = origin.indexOf(' ');
      if (space > 0) {
        return "file " + origin.substring(space + 1) + " (" + origin.substring(0, space) + ")";
      }
      if (origin.startsWith(ConfigKey.ENV_PREFIX)) {
        return "environment variable " + origin;
      }
      return (origin.startsWith("-") ? "option " : "configuration file ") + origin;
    }

    @Override
    public String toString() {
      return "MasterKey[origin=" + origin + "]";
    }
  }

  static KeyOptions defaults() {
    return new KeyOptions(true, "auto", Optional.empty());
  }

  Path effectiveKeyFile(Path dataDir) {
    return keyFile.orElseGet(() -> dataDir.resolve(DEFAULT_FILE)).toAbsolutePath().normalize();
  }

  /** The provider's name once {@code auto} is decided. */
  String resolvedProvider(List<KeyProvider> plugins) {
    if (!provider.equals("auto")) {
      return provider;
    }
    if (plugins.size() == 1) {
      return plugins.get(0).name();
    }
    return masterKey.isPresent() ? "env" : "file";
  }

  /**
   * The key provider: always with encryption on (a key file is created on first start); with it off,
   * only when keys exist already, so values sealed earlier still open.
   */
  Optional<KeyProvider> keyProvider(Path dataDir, ClassLoader loader) {
    List<KeyProvider> plugins = plugins(loader);
    String name = resolvedProvider(plugins);
    try {
      return switch (name) {
        case "file" -> {
          Path file = effectiveKeyFile(dataDir);
          yield encryption || Files.exists(file) ? Optional.of(KeyProvider.file(file)) : Optional.empty();
        }
        case "env" -> {
          if (masterKey.isEmpty()) {
            if (encryption) {
              throw new StartupException("the key provider is env but no master key is set (" + ENVIRONMENT_VARIABLE
                  + ", " + ENVIRONMENT_VARIABLE + "_FILE or encryption.master-key)");
            }
            yield Optional.empty();
          }
          yield Optional.of(new Described(KeyProvider.ofKeys(masterKey.get().keys()), "env",
              masterKey.get().description()));
        }
        default -> Optional.of(plugins.stream().filter(p -> p.name().equals(name)).findFirst()
            .orElseThrow(() -> new StartupException("no key provider named '" + name + "' (known: file, env"
                + (plugins.isEmpty() ? "" : ", " + String.join(", ", plugins.stream().map(KeyProvider::name).toList()))
                + ")")));
      };
    } catch (SyncException e) {
      throw new StartupException("encryption at rest: " + e.getMessage(), e);
    }
  }

  /** A built-in provider under the name and description the server gives it. */
  private record Described(KeyProvider keys, String name, String description) implements KeyProvider {
    @Override
    public String currentKeyId() {
      return keys.currentKeyId();
    }

    @Override
    public WrappedKey wrap(byte[] dataKey, byte[] context) {
      return keys.wrap(dataKey, context);
    }

    @Override
    public byte[] unwrap(WrappedKey wrapped, byte[] context) {
      return keys.unwrap(wrapped, context);
    }
  }

  EngineOptions engineOptions(Optional<KeyProvider> provider) {
    EngineOptions options = EngineOptions.defaults().withEncryption(encryption);
    return provider.map(options::withKeyProvider).orElse(options);
  }

  static List<KeyProvider> plugins(ClassLoader loader) {
    List<KeyProvider> found = new ArrayList<>();
    try {
      ServiceLoader.load(KeyProvider.class, loader).forEach(found::add);
    } catch (ServiceConfigurationError e) {
      throw new StartupException("a key provider plugin failed to load: " + e.getMessage(), e);
    }
    Map<String, String> names = new HashMap<>();
    for (KeyProvider p : found) {
      if (p.name().equals("auto") || p.name().equals("file") || p.name().equals("env")
          || names.putIfAbsent(p.name(), p.getClass().getName()) != null) {
        throw new StartupException("two key providers are named " + p.name());
      }
    }
    return found;
  }
}
