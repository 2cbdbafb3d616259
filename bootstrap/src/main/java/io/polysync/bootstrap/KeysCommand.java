package io.polysync.bootstrap;

import io.polysync.engine.DataKeyReport;
import io.polysync.engine.KeyProvider;
import io.polysync.engine.SyncEngine;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.SyncException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code polysync keys}: key maintenance while servers run. {@code rotate} puts a new
 * key-encryption key in use and wraps every database's data key under it; {@code status} reports
 * which keys wrap the data keys; {@code generate} prints a key for {@code POLYSYNC_MASTER_KEY}.
 */
@Command(
    name = "polysync keys",
    mixinStandardHelpOptions = true,
    version = "Polysync 0.1.0",
    description = "Key maintenance for encryption at rest (docs/security.md).",
    synopsisSubcommandLabel = "(rotate | status | generate)")
final class KeysCommand implements Callable<Integer> {
  static final String NAME = "keys";

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> environment;
  private final Path workingDirectory;

  KeysCommand() {
    this(System.out, System.err);
  }

  KeysCommand(PrintStream out, PrintStream err) {
    this(out, err, System.getenv(), Path.of("").toAbsolutePath());
  }

  /** With the environment and working directory given, for tests. */
  KeysCommand(PrintStream out, PrintStream err, Map<String, String> environment, Path workingDirectory) {
    this.out = out;
    this.err = err;
    this.environment = Map.copyOf(environment);
    this.workingDirectory = workingDirectory;
  }

  /** The command line with its subcommands, each an instance (no reflection on constructors). */
  CommandLine commandLine() {
    CommandLine cl = new CommandLine(this);
    cl.addSubcommand("rotate", new Rotate());
    cl.addSubcommand("status", new Status());
    cl.addSubcommand("generate", new Generate());
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    return cl;
  }

  int execute(String... args) {
    return commandLine().execute(args);
  }

  @Override
  public Integer call() {
    commandLine().usage(out);
    return 2;
  }

  /**
   * Where the storage and the keys are: the same flags, environment variables, configuration file
   * and defaults as {@code polysync serve} ({@link ConfigLoader}).
   */
  static final class Where {
    @Option(names = ConfigLoader.CONFIG_FLAG, paramLabel = "FILE",
        description = "The configuration file, YAML (POLYSYNC_CONFIG; default ./polysync.yaml when it exists).")
    Path config;

    @Option(names = "--data",
        description = "Data directory (data, POLYSYNC_DATA; default ./data): where the default SQLite database and"
            + " key file are.")
    String data;

    @Option(names = "--storage", paramLabel = "URI",
        description = "Storage URI (storage.uri, POLYSYNC_STORAGE; default sqlite:<data>/polysync.db).")
    String storage;

    @Option(names = "--storage-file", paramLabel = "FILE",
        description = "A file holding the storage URI (storage.uri-file, POLYSYNC_STORAGE_FILE).")
    String storageFile;

    @Option(names = "--key-file", paramLabel = "PATH",
        description = "The key file (encryption.key-file, POLYSYNC_KEY_FILE; default <data>/polysync.key).")
    String keyFile;

    @Option(names = "--key-provider", paramLabel = "NAME",
        description = "file, env or a plugin's name (encryption.key-provider, POLYSYNC_KEY_PROVIDER; default auto,"
            + " as for serve).")
    String keyProvider;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;
  }

  /** What {@link Where} resolves to. */
  private record Place(Path data, KeyOptions keys, StorageConfig storage) {}

  /** The configuration for a subcommand, or empty after printing its problems. */
  private Optional<Place> place(Where where, String command) {
    Configuration config;
    try {
      ParseResult parsed = where.command.commandLine().getParseResult();
      config = ConfigLoader.load(ConfigLoader.flags(parsed), ConfigLoader.configFlag(parsed), environment,
          workingDirectory);
    } catch (ConfigException e) {
      e.problems().forEach(p -> err.println("polysync keys " + command + ": " + p));
      return Optional.empty();
    }
    config.warnings().forEach(w -> err.println("polysync keys " + command + ": " + w));
    Path data = workingDirectory.resolve(config.path("data").orElseThrow()).normalize();
    KeyOptions fromConfig = config.keyOptions();
    // Key maintenance works whether or not new writes are sealed: the keys are what it maintains.
    KeyOptions keys = new KeyOptions(true, fromConfig.provider(), fromConfig.keyFile().map(workingDirectory::resolve),
        fromConfig.masterKey());
    return Optional.of(new Place(data, keys,
        StorageConfig.of(ServeOptions.effectiveStorageUri(config.value("storage.uri"), data))));
  }

  private static ClassLoader loader() {
    return KeysCommand.class.getClassLoader();
  }

  private void print(DataKeyReport report, String provider) {
    out.println("  current key-encryption key: " + report.currentKeyId() + " (" + provider + ")");
    out.println("  namespaces: " + report.databases() + ", of which " + report.withoutKey()
        + " without a data key (nothing sealed there yet)");
    StringBuilder byKey = new StringBuilder();
    report.dataKeysByKeyId().forEach((id, n) -> byKey.append(byKey.isEmpty() ? "" : ", ").append(id).append(": ")
        .append(n).append(id.equals(report.currentKeyId()) ? " (current)" : ""));
    out.println("  data keys by key-encryption key: " + (byKey.isEmpty() ? "none" : byKey));
    if (report.rewrapped() > 0) {
      out.println("  wrapped again now: " + report.rewrapped());
    }
    report.unreadable().forEach(u -> out.println("  cannot unwrap: " + u));
  }

  private Storage openStorage(Place place) {
    return Server.open(place.storage(), Plugins.storageProviders(loader()));
  }

  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = {
        "Puts a new key-encryption key in use and wraps every data key under it, while servers run.",
        "With the key file: adds a new key at its top (older keys stay below it), wraps every data key"
            + " again, waits --grace seconds for running servers to notice the file changed, checks again,"
            + " then removes the older keys from the file (unless --keep-old).",
        "With POLYSYNC_MASTER_KEY or a plugin: put the new key first (POLYSYNC_MASTER_KEY=NEW,OLD) on every"
            + " process, run this, then drop OLD once it reports every data key current."})
  final class Rotate implements Callable<Integer> {
    @Mixin Where where = new Where();

    @Option(names = "--grace", defaultValue = "3", paramLabel = "SECONDS",
        description = "How long to wait before checking again (default 3; servers re-read the key file at most a"
            + " second after it changes).")
    int grace;

    @Option(names = "--keep-old", description = "Keep the older keys in the key file afterwards.")
    boolean keepOld;

    @Override
    public Integer call() {
      Optional<Place> place = place(where, "rotate");
      if (place.isEmpty()) {
        return ConfigException.EXIT_STATUS;
      }
      KeyOptions keys = place.get().keys();
      Path data = place.get().data();
      String providerName = keys.resolvedProvider(KeyOptions.plugins(loader()));
      boolean file = providerName.equals("file");
      Path keyFile = keys.effectiveKeyFile(data);
      if (file && !Files.exists(keyFile)) {
        err.println("polysync keys rotate: there is no key file at " + keyFile + "; nothing to rotate (a server"
            + " creates it on its first start; --key-file names another)");
        return 1;
      }
      try (Storage storage = openStorage(place.get())) {
        if (file) {
          String added = KeyProvider.addKeyToFile(keyFile);
          out.println("Added key-encryption key " + added + " at the top of " + keyFile + "; the older keys stay"
              + " until every data key is wrapped again.");
        }
        Optional<KeyProvider> provider = keys.keyProvider(data, loader());
        String description = provider.orElseThrow().description();
        try (SyncEngine engine = SyncEngine.create(storage, keys.engineOptions(provider))) {
          out.println("Wrapping every data key under the current key:");
          print(engine.rewrapDataKeys(), description);
          out.println("Waiting " + grace + " s for running servers to notice the change, then checking again:");
          Thread.sleep(grace * 1000L);
          DataKeyReport second = engine.rewrapDataKeys();
          print(second, description);
          if (!second.allCurrent()) {
            err.println("polysync keys rotate: some data keys are still wrapped by older keys (see above); the older"
                + " keys stay. Run it again once the cause is fixed.");
            return 1;
          }
          if (file && !keepOld) {
            List<String> dropped = KeyProvider.dropOlderKeysFromFile(keyFile);
            out.println("Every data key is wrapped by " + second.currentKeyId() + ". Removed the older keys "
                + dropped + " from " + keyFile + ".");
          } else if (file) {
            out.println("Every data key is wrapped by " + second.currentKeyId() + ". The older keys stay in "
                + keyFile + " (--keep-old).");
          } else {
            out.println("Every data key is wrapped by " + second.currentKeyId() + ". Older keys may now be removed"
                + " from the " + description + " wherever it is set.");
          }
          return 0;
        }
      } catch (StartupException | SyncException e) {
        err.println("polysync keys rotate: " + e.getMessage());
        return 1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 1;
      }
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Reports which key-encryption keys wrap the data keys; changes nothing.")
  final class Status implements Callable<Integer> {
    @Mixin Where where = new Where();

    @Override
    public Integer call() {
      Optional<Place> place = place(where, "status");
      if (place.isEmpty()) {
        return ConfigException.EXIT_STATUS;
      }
      KeyOptions keys = place.get().keys();
      Path data = place.get().data();
      Path keyFile = keys.effectiveKeyFile(data);
      if (keys.resolvedProvider(KeyOptions.plugins(loader())).equals("file") && !Files.exists(keyFile)) {
        err.println("polysync keys status: there is no key file at " + keyFile);
        return 1;
      }
      try (Storage storage = openStorage(place.get())) {
        Optional<KeyProvider> provider = keys.keyProvider(data, loader());
        try (SyncEngine engine = SyncEngine.create(storage, keys.engineOptions(provider))) {
          DataKeyReport report = engine.dataKeyReport();
          print(report, provider.orElseThrow().description());
          return report.allCurrent() ? 0 : 3;
        }
      } catch (StartupException | SyncException e) {
        err.println("polysync keys status: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = "Prints a new random key-encryption key (base64), as POLYSYNC_MASTER_KEY and the key file take"
          + " it, and its id on a second line.")
  final class Generate implements Callable<Integer> {
    @Override
    public Integer call() {
      String key = KeyProvider.generateKey();
      out.println(key);
      out.println("id " + KeyProvider.keyId(key));
      return 0;
    }
  }
}
