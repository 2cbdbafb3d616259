package io.polysync.engine.internal;

import io.polysync.engine.DataKeyReport;
import io.polysync.engine.Database;
import io.polysync.engine.DatabaseInfo;
import io.polysync.engine.EngineError;
import io.polysync.engine.EngineOptions;
import io.polysync.engine.KeyProvider;
import io.polysync.engine.SecurityObject;
import io.polysync.engine.SyncEngine;
import io.polysync.engine.UserStore;
import io.polysync.spi.Capabilities;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** The engine: shared state (storage, codec, notifier, revs_limit cache) behind the database handles. */
public final class DefaultSyncEngine implements SyncEngine {
  static final String REVS_LIMIT_KEY = "engine.revs_limit";
  private static final System.Logger LOG = System.getLogger(DefaultSyncEngine.class.getName());
  private static final Pattern DATABASE_NAME = Pattern.compile("^[a-z][a-z0-9_$()+/-]*$");
  private static final int MAX_DATABASE_NAME = 238;
  private static final Pattern SYSTEM_NAME = Pattern.compile("^_[a-z0-9_]{1,63}$");
  /** How long a revs_limit read is trusted; another process may change it. */
  private static final long REVS_LIMIT_TTL_NANOS = 5_000_000_000L;
  private static final int SECURITY_CACHE_LIMIT = 4096;

  final Storage storage;
  private final SealedStorage sealed;
  final EngineOptions options;
  final StateCodec codec;
  final Notifier notifier;
  private final boolean ownsStorage;
  private final DefaultUserStore users;
  private final Map<String, CachedLimit> revsLimits = new ConcurrentHashMap<>();
  /** System databases known to exist; one dropped by another process is made again on restart. */
  private final java.util.Set<String> readySystemDatabases = ConcurrentHashMap.newKeySet();
  /** Security objects by database (empty: none set, or no such database), checked per request. */
  final RecentCache<Optional<SecurityObject>> securities;

  /** The per-user indexes of owned databases. */
  final OwnedIndex owned;
  /** Owned databases whose index this process has repaired once. */
  private final java.util.Set<String> repairedOwned = ConcurrentHashMap.newKeySet();

  private record CachedLimit(int limit, long loadedAt) {}

  private DefaultSyncEngine(SealedStorage storage, EngineOptions options, boolean ownsStorage) {
    this.storage = storage;
    this.sealed = storage;
    this.options = options;
    this.codec = new JsonStateCodec();
    this.notifier = new Notifier(storage.signals());
    this.ownsStorage = ownsStorage;
    this.users = new DefaultUserStore(storage, java.time.Clock.systemUTC(), options.accessCacheMillis());
    this.securities = new RecentCache<>(options.accessCacheMillis(), SECURITY_CACHE_LIMIT, System::nanoTime);
    this.owned = new OwnedIndex(this);
  }

  /**
   * Updates the owned-documents indexes after a committed write. A failure here leaves the write
   * in place (it committed) and the index behind: it is logged and the next read repairs it.
   */
  void indexOwned(String database, List<OwnedIndex.Change> changes) {
    try {
      owned.update(database, changes);
    } catch (RuntimeException e) {
      repairedOwned.remove(database);
      LOG.log(System.Logger.Level.WARNING, "owned-documents index of " + database
          + " not updated; it is repaired on next read", e);
    }
  }

  /**
   * Starts {@link OwnedIndex#repair} once per process per database, on its first owned read, in
   * the background: a feed is right without it unless a process stopped between a document's write
   * and its index's (or owned documents were just switched on over existing documents), and the
   * entries it writes get new sequences, so followers pick them up as it goes.
   */
  void repairOwnedOnce(String database) {
    if (!repairedOwned.add(database)) {
      return;
    }
    Thread.ofVirtual().name("polysync-owned-repair-" + database).start(() -> {
      try {
        owned.repair(database);
      } catch (RuntimeException e) {
        repairedOwned.remove(database);
        LOG.log(System.Logger.Level.WARNING, "owned-documents index repair of " + database + " failed", e);
      }
    });
  }

  long repairOwned(String database) {
    long examined = owned.repair(database);
    repairedOwned.add(database);
    return examined;
  }

  public static SyncEngine create(Storage storage, EngineOptions options, boolean ownsStorage) {
    java.util.Objects.requireNonNull(storage, "storage is null");
    java.util.Objects.requireNonNull(options, "options is null");
    SealedStorage view = storage instanceof SealedStorage given ? given : seal(storage, options);
    return new DefaultSyncEngine(view, options, ownsStorage);
  }

  /**
   * {@code storage} behind the sealing layer {@code options} ask for: encryption on needs a key
   * provider (given, the one plugin, or {@code POLYSYNC_MASTER_KEY}), checked now so that a server
   * without its key fails at start, not at its first write.
   */
  public static SealedStorage seal(Storage storage, EngineOptions options) {
    if (storage instanceof SealedStorage given) {
      return given;
    }
    Optional<KeyProvider> provider = keyProvider(options, DefaultSyncEngine.class.getClassLoader());
    if (options.encryption()) {
      provider.orElseThrow().currentKeyId();
    }
    return new SealedStorage(storage, options.encryption(), provider);
  }

  static Optional<KeyProvider> keyProvider(EngineOptions options, ClassLoader loader) {
    if (options.keyProvider().isPresent()) {
      return options.keyProvider();
    }
    List<KeyProvider> plugins = new java.util.ArrayList<>();
    try {
      ServiceLoader.load(KeyProvider.class, loader).forEach(plugins::add);
    } catch (ServiceConfigurationError e) {
      throw new SyncException(EngineError.KEY_UNAVAILABLE, "a key provider plugin cannot be loaded: " + e.getMessage(),
          e);
    }
    if (plugins.size() > 1) {
      throw new SyncException(EngineError.KEY_UNAVAILABLE, "several key provider plugins are installed ("
          + plugins.stream().map(KeyProvider::name).toList() + "); pass the one to use in EngineOptions");
    }
    if (plugins.size() == 1) {
      return Optional.of(plugins.get(0));
    }
    String env = System.getenv(LocalKeys.ENVIRONMENT_VARIABLE);
    if (env != null && !env.isBlank()) {
      return Optional.of(LocalKeys.environment());
    }
    if (options.encryption()) {
      throw new SyncException(EngineError.KEY_UNAVAILABLE, "encryption at rest is on and no key was given: use"
          + " EngineOptions.defaults().withKeyFile(path) (the file is created on first use; keep it, and back it"
          + " up apart from the data), set " + LocalKeys.ENVIRONMENT_VARIABLE + ", install a KeyProvider plugin,"
          + " or turn encryption off with EngineOptions.defaults().withEncryption(false)");
    }
    return Optional.empty();
  }

  @Override
  public DataKeyReport dataKeyReport() {
    return sealed.report(false);
  }

  @Override
  public int sealClearUserRecords() {
    return sealed.sealing() ? users.sealClearRecords(sealed.unopenedLocals()) : 0;
  }

  @Override
  public DataKeyReport rewrapDataKeys() {
    return sealed.report(true);
  }

  /** Documents for listings that read only the clear columns; see {@link SealedStorage#unopened()}. */
  io.polysync.spi.DocumentStore listings() {
    return sealed.unopened();
  }

  /** Whether new writes are sealed (so a write carries no clear query body). */
  boolean sealsWrites() {
    return sealed.sealing();
  }

  @Override
  public Capabilities capabilities() {
    return storage.capabilities();
  }

  @Override
  public UserStore users() {
    return users;
  }

  @Override
  public Database createDatabase(String name) {
    if (name == null || name.length() > MAX_DATABASE_NAME || !DATABASE_NAME.matcher(name).matches()) {
      throw new SyncException(
          EngineError.INVALID_DATABASE_NAME,
          "Name: '" + name + "'. Only lowercase characters (a-z), digits (0-9), and any of the characters"
              + " _, $, (, ), +, -, and / are allowed. Must begin with a letter.");
    }
    call(() -> storage.namespaces().create(name, Map.of()));
    revsLimits.remove(name);
    securities.invalidate(name);
    return database(name);
  }

  @Override
  public Database systemDatabase(String name) {
    if (name == null || !SYSTEM_NAME.matcher(name).matches()) {
      throw new SyncException(EngineError.INVALID_DATABASE_NAME,
          "A system database name is _ followed by lowercase characters, digits and _: " + name);
    }
    if (!readySystemDatabases.contains(name)) {
      if (call(() -> storage.namespaces().get(name)).isEmpty()) {
        try {
          call(() -> storage.namespaces().create(name, Map.of()));
        } catch (SyncException e) {
          if (e.errorCode() != EngineError.DATABASE_EXISTS) {
            throw e;
          }
        }
      }
      readySystemDatabases.add(name);
    }
    return database(name);
  }

  @Override
  public Database database(String name) {
    return new DefaultDatabase(this, name);
  }

  @Override
  public boolean databaseExists(String name) {
    return call(() -> storage.namespaces().get(name)).isPresent();
  }

  @Override
  public void deleteDatabase(String name) {
    call(() -> {
      storage.namespaces().drop(name);
      return null;
    });
    revsLimits.remove(name);
    securities.invalidate(name);
    notifier.forget(name);
    repairedOwned.remove(name);
    owned.dropAll(name);
  }

  @Override
  public List<DatabaseInfo> listDatabases(String afterName, int limit) {
    return call(() -> storage.namespaces().list(afterName, limit)).stream()
        .map(DefaultSyncEngine::info)
        .toList();
  }

  static DatabaseInfo info(NamespaceInfo ns) {
    return new DatabaseInfo(
        ns.name(), ns.documentCount(), ns.deletedCount(), ns.lastSeq(), ns.lastTimestamp(), ns.metadata());
  }

  int revsLimit(String namespace) {
    CachedLimit cached = revsLimits.get(namespace);
    long now = System.nanoTime();
    if (cached != null && now - cached.loadedAt < REVS_LIMIT_TTL_NANOS) {
      return cached.limit;
    }
    NamespaceInfo ns = call(() -> storage.namespaces().get(namespace))
        .orElseThrow(() -> databaseNotFound());
    return remember(namespace, ns);
  }

  int remember(String namespace, NamespaceInfo ns) {
    String value = ns.metadata().get(REVS_LIMIT_KEY);
    int limit = value == null ? options.defaultRevsLimit() : Integer.parseInt(value);
    revsLimits.put(namespace, new CachedLimit(limit, System.nanoTime()));
    return limit;
  }

  /** The security object of {@code namespace}, read from storage at most once per cache bound. */
  Optional<SecurityObject> security(String namespace) {
    Optional<SecurityObject> cached = securities.fresh(namespace);
    if (cached != null) {
      return cached;
    }
    RecentCache.Stamp stamp = securities.stamp();
    Optional<NamespaceInfo> ns = call(() -> storage.namespaces().get(namespace));
    return rememberSecurity(namespace, ns, stamp);
  }

  /** Keeps the security object of a namespace snapshot read after {@code stamp} was taken. */
  Optional<SecurityObject> rememberSecurity(String namespace, Optional<NamespaceInfo> ns, RecentCache.Stamp stamp) {
    Optional<SecurityObject> security = ns.map(n -> n.metadata().get(DefaultDatabase.SECURITY_KEY))
        .map(SecurityObject::fromJson);
    securities.offer(namespace, security, stamp);
    return security;
  }

  static SyncException databaseNotFound() {
    return new SyncException(EngineError.DATABASE_NOT_FOUND, "Database does not exist.");
  }

  /** Runs a storage call, giving namespace errors their database meaning. */
  static <T> T call(Supplier<T> storageCall) {
    try {
      return storageCall.get();
    } catch (SyncException e) {
      throw translate(e);
    }
  }

  static SyncException translate(SyncException e) {
    if (e.errorCode() instanceof StorageError code) {
      return switch (code) {
        case NAMESPACE_NOT_FOUND -> new SyncException(EngineError.DATABASE_NOT_FOUND, "Database does not exist.", e);
        case NAMESPACE_EXISTS -> new SyncException(
            EngineError.DATABASE_EXISTS, "The database could not be created, the file already exists.", e);
        case INVALID_NAMESPACE_NAME -> new SyncException(EngineError.INVALID_DATABASE_NAME, e.getMessage(), e);
        case VALUE_TOO_LARGE -> new SyncException(EngineError.DOCUMENT_TOO_LARGE, "Document too large", e);
        case INVALID_ID -> new SyncException(EngineError.BAD_REQUEST, e.getMessage(), e);
        default -> e;
      };
    }
    return e;
  }

  @Override
  public void close() {
    notifier.close();
    if (ownsStorage) {
      storage.close();
    }
  }
}
