package io.polysync.bootstrap;

import io.polysync.engine.KeyProvider;
import io.polysync.engine.SyncEngine;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.SyncException;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The storage a maintenance command works on, opened as {@code polysync serve} and {@code polysync
 * keys} open it: the same {@code --data}, {@code --storage}, {@code --key-file}, {@code
 * --key-provider} and {@code --encryption} options with the same {@code POLYSYNC_*} defaults. The
 * storage may be in use by running servers at the same time; they see what a command changed once
 * their caches expire (about a second).
 */
final class StoreOptions {
  @Mixin KeysCommand.Where where = new KeysCommand.Where();

  @Option(names = "--encryption", defaultValue = "${env:POLYSYNC_ENCRYPTION:-on}", paramLabel = "on|off",
      description = "Encryption at rest for what this command writes (POLYSYNC_ENCRYPTION; default on), as for"
          + " serve; sealed data is read either way when the keys are at hand.")
  String encryption;

  /** The engine over the storage; closing it closes the storage. */
  Opened open() {
    boolean on = Main.onOff(encryption)
        .orElseThrow(() -> CliException.usage("--encryption takes on or off, not " + encryption));
    KeyOptions keys = new KeyOptions(on, where.keyProvider, Optional.ofNullable(where.keyFile));
    ClassLoader loader = StoreOptions.class.getClassLoader();
    StorageConfig config = where.storageConfig();
    Optional<KeyProvider> provider = keys.keyProvider(where.data, loader);
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
