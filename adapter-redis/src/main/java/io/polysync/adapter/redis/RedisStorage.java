package io.polysync.adapter.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.polysync.spi.BlobStore;
import io.polysync.spi.Capabilities;
import io.polysync.spi.Capability;
import io.polysync.spi.ChangeSignals;
import io.polysync.spi.DocumentStore;
import io.polysync.spi.LocalStore;
import io.polysync.spi.Names;
import io.polysync.spi.NamespaceStore;
import io.polysync.spi.QueryStore;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One open Redis database: a Lettuce client with one shared connection for commands (Lettuce
 * multiplexes concurrent callers over it; every command here is a short script, none blocks), the
 * script runner, the namespace-id cache, and the SPI parts.
 */
final class RedisStorage implements Storage {
  static final long MAX_VALUE_BYTES = 8L * 1024 * 1024;
  static final int MAX_BATCH = 10_000;
  private static final int NAMESPACE_ATTEMPTS = 5;

  final RedisSettings settings;
  final RedisKeys keys;
  /**
   * Reconnection attempts back off to at most a second apart. Lettuce's default goes up to 30
   * seconds, so after a long outage the server could stay unavailable for half a minute after
   * Redis came back; an attempt a second per connection costs Redis nothing.
   */
  static final Delay RECONNECT_DELAY =
      Delay.exponential(Duration.ZERO, Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS);

  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisCommands<byte[], byte[]> commands;
  private final Capabilities capabilities;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Namespace name → id, as last seen; every script checks it against the registry. */
  private final ConcurrentMap<String, Long> ids = new ConcurrentHashMap<>();

  private final RedisNamespaceStore namespaces;
  private final RedisDocumentStore documents;
  private final RedisLocalStore locals;
  private final RedisBlobStore blobs;
  private final RedisQueryStore queries;
  private final RedisChangeSignals signals;

  RedisStorage(RedisSettings settings) {
    this.settings = settings;
    this.keys = new RedisKeys(settings.prefix());
    this.resources = ClientResources.builder().reconnectDelay(RECONNECT_DELAY).build();
    this.client = RedisClient.create(resources, settings.uri());
    client.setOptions(
        ClientOptions.builder()
            // RESP2: script replies keep Redis 6's shapes (Lua false is nil, not a RESP3 boolean).
            .protocolVersion(ProtocolVersion.RESP2)
            .autoReconnect(true)
            // Fail at once while reconnecting instead of queueing: callers get UNAVAILABLE and
            // retry, and a write is never sent late after its caller gave up on it.
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(10)).build())
            .build());
    StatefulRedisConnection<byte[], byte[]> c = null;
    try {
      c = client.connect(ByteArrayCodec.INSTANCE);
      RedisCommands<byte[], byte[]> sync = c.sync();
      String memory;
      try {
        memory = sync.info("memory");
      } catch (RedisCommandExecutionException e) {
        memory = ""; // INFO refused (an ACL, a renamed command): nothing to check the policy with.
      }
      refuseEviction(memory, settings);
      for (RedisScripts script : RedisScripts.values()) {
        String sha = sync.scriptLoad(script.source().getBytes(StandardCharsets.UTF_8));
        if (!script.sha().equals(sha)) {
          throw new SyncException(
              StorageError.INTERNAL, "Redis gave script " + script + " the digest " + sha);
        }
      }
    } catch (RuntimeException e) {
      if (c != null) {
        c.close();
      }
      shutdown(client, resources);
      throw RedisErrors.translate(e, settings, "connecting to " + settings.display());
    }
    this.connection = c;
    this.commands = c.sync();
    this.capabilities =
        new Capabilities(
            EnumSet.of(
                Capability.ATOMIC_BATCHES,
                Capability.MULTI_PROCESS,
                Capability.NATIVE_CHANGE_SIGNALS,
                Capability.LOCAL_LISTING),
            MAX_VALUE_BYTES,
            MAX_BATCH,
            Duration.ZERO);
    this.namespaces = new RedisNamespaceStore(this);
    this.documents = new RedisDocumentStore(this);
    this.locals = new RedisLocalStore(this);
    this.blobs = new RedisBlobStore(this);
    this.queries = new RedisQueryStore(this);
    this.signals = new RedisChangeSignals(this, client);
  }

  @Override
  public Capabilities capabilities() {
    return capabilities;
  }

  @Override
  public NamespaceStore namespaces() {
    return namespaces;
  }

  @Override
  public DocumentStore documents() {
    return documents;
  }

  @Override
  public LocalStore locals() {
    return locals;
  }

  @Override
  public BlobStore blobs() {
    return blobs;
  }

  @Override
  public QueryStore queries() {
    return queries;
  }

  @Override
  public ChangeSignals signals() {
    return signals;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      signals.close();
      connection.close();
      shutdown(client, resources);
    }
  }

  /**
   * Refuses a server that may evict any key under memory pressure: it would drop documents, feed
   * entries or counters one key at a time, silently. {@code volatile-*} policies evict only keys
   * with an expiry, which here are staging keys alone (a write whose staged state was evicted fails
   * whole and may be retried).
   */
  static void refuseEviction(String infoMemory, RedisSettings settings) {
    for (String line : infoMemory.split("\r?\n")) {
      if (line.startsWith("maxmemory_policy:")) {
        String policy = line.substring("maxmemory_policy:".length()).trim();
        if (policy.startsWith("allkeys-")) {
          throw new SyncException(
              StorageError.INVALID_CONFIGURATION,
              settings.display() + " runs with maxmemory-policy " + policy + ", which evicts"
                  + " stored documents when memory runs short; Polysync needs noeviction (or a"
                  + " volatile-* policy)");
        }
      }
    }
  }

  private static void shutdown(RedisClient client, ClientResources resources) {
    try {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      // Shutting down either way; nothing left to do with the failure.
    }
    try {
      // Resources given to a client are not the client's to shut down.
      resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3_000);
    } catch (RuntimeException e) {
      // As above.
    }
  }

  @Override
  public String toString() {
    return "RedisStorage[" + settings.display() + "]";
  }

  void ensureOpen() {
    if (closed.get()) {
      throw new SyncException(
          StorageError.UNAVAILABLE, "storage " + settings.display() + " is closed");
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  // ---------------------------------------------------------------------------------------------
  // Running commands and scripts
  // ---------------------------------------------------------------------------------------------

  /** Runs a plain command, translating driver exceptions. */
  <T> T command(String what, Supplier<T> work) {
    ensureOpen();
    try {
      return work.get();
    } catch (RuntimeException e) {
      throw translate(e, what);
    }
  }

  RedisCommands<byte[], byte[]> commands() {
    return commands;
  }

  RedisAsyncCommands<byte[], byte[]> asyncCommands() {
    return connection.async();
  }

  /** Runs {@code script} with EVALSHA, loading it with EVAL if the server lost it (restart, flush). */
  List<Object> eval(RedisScripts script, byte[][] keys, byte[][] args) {
    try {
      return commands.evalsha(script.sha(), ScriptOutputType.MULTI, keys, args);
    } catch (RedisNoScriptException e) {
      // Nothing ran: running it again is safe.
      return commands.eval(script.source().getBytes(StandardCharsets.UTF_8), ScriptOutputType.MULTI,
          keys, args);
    }
  }

  /** The outcome of a namespace-scoped script: its reply, or a sign that the id was wrong. */
  interface ScriptCall {
    /** The keys beyond the namespace's, appended to {@link RedisKeys#namespace}. */
    default byte[][] extraKeys() {
      return new byte[0][];
    }

    /** {@code ARGV[3..]}. */
    byte[][] args();
  }

  /**
   * Runs a namespace-scoped script (see {@link RedisScripts}) for {@code namespace}, following the
   * namespace to its current id when the cached one is stale, and returns the reply with its
   * status (never 0).
   *
   * @throws SyncException {@link StorageError#NAMESPACE_NOT_FOUND} when the namespace does not exist
   */
  List<Object> inNamespace(String what, String namespace, RedisScripts script, ScriptCall call) {
    ensureOpen();
    try {
      byte[] name = RedisKeys.bytes(namespace);
      for (int attempt = 0; attempt < NAMESPACE_ATTEMPTS; attempt++) {
        long id = resolve(namespace);
        byte[][] nsKeys = keys.namespace(id);
        byte[][] extra = call.extraKeys();
        byte[][] allKeys = nsKeys;
        if (extra.length > 0) {
          allKeys = new byte[nsKeys.length + extra.length][];
          System.arraycopy(nsKeys, 0, allKeys, 0, nsKeys.length);
          System.arraycopy(extra, 0, allKeys, nsKeys.length, extra.length);
        }
        byte[][] rest = call.args();
        byte[][] args = new byte[rest.length + 2][];
        args[0] = name;
        args[1] = RedisKeys.bytes(Long.toString(id));
        System.arraycopy(rest, 0, args, 2, rest.length);
        List<Object> reply = eval(script, allKeys, args);
        if (status(reply) != 0) {
          return reply;
        }
        String current = string(reply.get(1));
        if (current == null || current.isEmpty()) {
          ids.remove(namespace);
          throw notFound(namespace);
        }
        ids.put(namespace, Long.parseLong(current));
      }
      throw new SyncException(
          StorageError.UNAVAILABLE,
          "namespace " + namespace + " was dropped and created again " + NAMESPACE_ATTEMPTS
              + " times during one " + what);
    } catch (RuntimeException e) {
      throw translate(e, what + " in " + namespace);
    }
  }

  /**
   * Checks that {@code namespace} exists, for calls that have nothing to send (an empty read, a
   * batch whose every item was refused).
   */
  void requireNamespace(String namespace, String what) {
    ensureOpen();
    try {
      ids.remove(namespace);
      resolve(namespace);
    } catch (RuntimeException e) {
      throw translate(e, what + " in " + namespace);
    }
  }

  /** The id of {@code namespace}, from the cache or the registry. */
  private long resolve(String namespace) {
    Long cached = ids.get(namespace);
    if (cached != null) {
      return cached;
    }
    if (!validNamespace(namespace)) {
      throw notFound(namespace);
    }
    byte[] raw = commands.hget(keys.registry(), RedisKeys.bytes(namespace));
    if (raw == null) {
      throw notFound(namespace);
    }
    long id = Long.parseLong(new String(raw, StandardCharsets.US_ASCII));
    ids.put(namespace, id);
    return id;
  }

  /** Forgets a cached id (after a drop through this storage). */
  void forget(String namespace) {
    ids.remove(namespace);
  }

  /** Remembers the id of a namespace this storage created. */
  void remember(String namespace, long id) {
    ids.put(namespace, id);
  }

  /**
   * Whether a name could name a namespace. A lone surrogate would reach Redis as {@code ?} in
   * UTF-8 and could name another namespace, so such names are answered here.
   */
  static boolean validNamespace(String name) {
    try {
      Names.checkNamespace(name);
      return true;
    } catch (SyncException e) {
      return false;
    }
  }

  static SyncException notFound(String namespace) {
    return new SyncException(
        StorageError.NAMESPACE_NOT_FOUND, "namespace " + namespace + " does not exist");
  }

  SyncException translate(RuntimeException e, String what) {
    if (e instanceof SyncException sync) {
      return sync;
    }
    if (isClosed()) {
      return new SyncException(
          StorageError.UNAVAILABLE, "storage " + settings.display() + " is closed", e);
    }
    return RedisErrors.translate(e, settings, what);
  }

  // ---------------------------------------------------------------------------------------------
  // Reply helpers
  // ---------------------------------------------------------------------------------------------

  static long status(List<Object> reply) {
    return (Long) reply.get(0);
  }

  static long number(Object o) {
    if (o instanceof Long l) {
      return l;
    }
    if (o instanceof byte[] b) {
      return Long.parseLong(new String(b, StandardCharsets.US_ASCII));
    }
    throw new SyncException(StorageError.INTERNAL, "unexpected reply from Redis: " + o);
  }

  static String string(Object o) {
    return o == null ? null : new String((byte[]) o, StandardCharsets.UTF_8);
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return o == null ? List.of() : (List<Object>) o;
  }

  static byte[][] array(List<byte[]> values) {
    return values.toArray(new byte[0][]);
  }

  static Optional<byte[]> bytes(Object o) {
    return Optional.ofNullable((byte[]) o);
  }

  static List<byte[]> args() {
    return new ArrayList<>();
  }
}
