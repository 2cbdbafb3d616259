package io.polysync.bootstrap;

import io.polysync.engine.KeyProvider;
import io.polysync.engine.SyncEngine;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.SyncException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The storage a maintenance command works on, opened as {@code polysync serve} and {@code polysync
 * keys} open it: the same {@code --config}, {@code --data}, {@code --storage}, {@code --key-file},
 * {@code --key-provider} and {@code --encryption} options, the same {@code POLYSYNC_*} variables and
 * the same configuration file. The
 * storage may be in use by running servers at the same time; they see what a command changed once
 * their caches expire (about a second).
 */
final class StoreOptions {
  @Mixin KeysCommand.Where where = new KeysCommand.Where();

  @Option(names = "--encryption", paramLabel = "on|off",
      description = "Encryption at rest for what this command writes (encryption.enabled, POLYSYNC_ENCRYPTION;"
          + " default on), as for serve; sealed data is read either way when the keys are at hand.")
  String encryption;

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  /**
   * The engine over the storage, configured from the command's flags, the {@code POLYSYNC_*}
   * environment and the configuration file, as {@code serve} is; closing it closes the storage.
   */
  Opened open() {
    Path workingDirectory = Path.of("").toAbsolutePath();
    Configuration settings;
    try {
      ParseResult parsed = command.commandLine().getParseResult();
      // Only the storage's and keys' flags: a command's own options may share a name with a
      // serve flag (user add --admin is a role, not serve's NAME:PASSWORD).
      Map<String, ConfigLoader.Given> flags = new LinkedHashMap<>(ConfigLoader.flags(parsed));
      flags.keySet().removeIf(k -> !(k.equals("data") || k.startsWith("storage.") || k.startsWith("encryption.")));
      settings = ConfigLoader.load(flags, ConfigLoader.configFlag(parsed), System.getenv(), workingDirectory);
    } catch (ConfigException e) {
      throw CliException.usage(String.join("; ", e.problems()));
    }
    Path data = workingDirectory.resolve(settings.path("data").orElseThrow()).normalize();
    KeyOptions fromConfig = settings.keyOptions();
    KeyOptions keys = new KeyOptions(fromConfig.encryption(), fromConfig.provider(),
        fromConfig.keyFile().map(workingDirectory::resolve), fromConfig.masterKey());
    return open(data, settings.value("storage.uri"), keys);
  }

  /** The engine over the storage at {@code storageUri} (the SQLite file under {@code data} when empty). */
  static Opened open(Path data, Optional<String> storageUri, KeyOptions keys) {
    ClassLoader loader = StoreOptions.class.getClassLoader();
    StorageConfig config = StorageConfig.of(ServeOptions.effectiveStorageUri(storageUri, data));
    Optional<KeyProvider> provider = keys.keyProvider(data, loader);
    Storage storage = Server.open(config, Plugins.storageProviders(loader));
    try {
      return new Opened(storage, SyncEngine.create(storage, keys.engineOptions(provider)), config.redactedUri());
    } catch (SyncException e) {
      storage.close();
      throw new CliException("storage " + config.redactedUri() + ": " + e.getMessage());
    } catch (RuntimeException e) {
      storage.close();
      throw e;
    }
  }

  /** An open storage and the engine over it. */
  record Opened(Storage storage, SyncEngine engine, String redactedUri) implements AutoCloseable {
    @Override
    public void close() {
      try {
        engine.close();
      } finally {
        storage.close();
      }
    }
  }
}
