package io.polysync.engine.internal;

import io.polysync.engine.DataKeyReport;
import io.polysync.engine.EngineError;
import io.polysync.engine.KeyProvider;
import io.polysync.spi.BlobStore;
import io.polysync.spi.Capabilities;
import io.polysync.spi.ChangeSignals;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.DocumentStore;
import io.polysync.spi.KeyRange;
import io.polysync.spi.LocalDocument;
import io.polysync.spi.LocalStore;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.NamespaceStore;
import io.polysync.spi.Query;
import io.polysync.spi.QueryStore;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageError;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.SyncException;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.SecretKey;

/**
 * The storage as the engine sees it: every value the engine stores passes through here and is
 * sealed on its way down and opened on its way up, so no part of the engine (nor the server's own
 * records, written through {@link io.polysync.engine.SyncEngine#sealedView}) can store clear data
 * by forgetting a call. The adapter below sees ciphertext and the clear metadata it indexes.
 *
 * <p>What is sealed, each with AES-256-GCM under the namespace's data key and bound by its
 * associated data to where it belongs:
 *
 * <ul>
 *   <li>document states (revision tree, bodies, attachment metadata): bound to namespace, id,
 *       winning revision and deleted flag, so neither the value nor the clear columns beside it
 *       can be swapped;
 *   <li>local documents (checkpoints, user records): bound to namespace and local id;
 *   <li>blobs (attachment bytes): bound to namespace and content key, stored under an HMAC of
 *       that key so the stored name does not reveal the content's digest;
 *   <li>namespace metadata values (security objects, the server's records): bound to namespace and
 *       metadata key; {@code engine.revs_limit} stays in clear, the wrapped data keys are their own
 *       protection.
 * </ul>
 *
 * <p>Formats: a sealed state or local document is {@code 0x02 || data key id (8) || nonce (12) ||
 * ciphertext || tag (16)}, the clear value inside keeping its own format byte; clear states start
 * with {@code 0x01} and clear user records with {@code {}, so old values are told apart and still
 * read. A sealed metadata value is {@value #META_PREFIX} followed by the same bytes in base64. A
 * sealed blob lives under {@value #BLOB_PREFIX}{@code <base64url HMAC>}; a blob under its plain key
 * is an old clear one.
 *
 * <p>With sealing on, {@link WriteItem#queryBody()} is dropped, and a query that tests or sorts by
 * a body field is not pushed down in a namespace that has a data key (its stored bodies are not
 * all in the adapter's index): the engine evaluates it. Queries on id, sequence and timestamp
 * still go down.
 */
final class SealedStorage implements Storage {
  static final byte SEALED = 2;
  static final int HEADER_BYTES = 1 + DataKeys.ID_BYTES;
  static final int OVERHEAD = HEADER_BYTES + Aead.NONCE_BYTES + Aead.TAG_BYTES;
  static final String META_PREFIX = "polysync-sealed:2:";
  static final String BLOB_PREFIX = "sealed-";
  private static final String CLEAR_METADATA = DefaultSyncEngine.REVS_LIMIT_KEY;
  private static final int META_CACHE_LIMIT = 10_000;

  private final Storage inner;
  private final boolean sealing;
  private final Optional<KeyProvider> provider;
  private final DataKeys keys;
  private final Capabilities capabilities;
  private final Map<String, String> openedMetadata = new ConcurrentHashMap<>();
  private final NamespaceStore namespaces;
  private final DocumentStore documents;
  private final LocalStore locals;
  private final BlobStore blobs;

  SealedStorage(Storage inner, boolean sealing, Optional<KeyProvider> provider) {
    this.inner = inner;
    this.sealing = sealing;
    this.provider = provider;
    this.keys = new DataKeys(inner.namespaces(), provider);
    Capabilities c = inner.capabilities();
    this.capabilities = sealing
        ? new Capabilities(c.flags(), Math.max(1024, c.maxValueBytes() - OVERHEAD), c.maxBatchSize(),
            c.signalPollInterval())
        : c;
    this.namespaces = new Namespaces();
    this.documents = new Documents();
    this.locals = new Locals();
    this.blobs = new Blobs();
  }

  boolean sealing() {
    return sealing;
  }

  Optional<KeyProvider> provider() {
    return provider;
  }

  /**
   * The documents as stored, states left sealed: for listings that use only the clear columns (the
   * changes feed without bodies, {@code _all_docs} without documents), which would otherwise open
   * every state only to drop it. A state read here must never be decoded.
   */
  DocumentStore unopened() {
    return inner.documents();
  }

  /** The local documents as stored, bodies left sealed: to find the ones still in clear. */
  LocalStore unopenedLocals() {
    return inner.locals();
  }

  DataKeyReport report(boolean rewrap) {
    return keys.report(rewrap);
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
    QueryStore q = inner.queries();
    return (namespace, query) -> {
      if (touchesBody(query) && (sealing || keys.hasKeys(namespace))) {
        return Optional.empty();
      }
      return q.query(namespace, query).map(found -> openAll(namespace, found));
    };
  }

  @Override
  public ChangeSignals signals() {
    return inner.signals();
  }

  @Override
  public void close() {
    inner.close();
  }

  // ---------------------------------------------------------------- sealing and opening

  private static byte[] header(DataKeys.DataKey key) {
    byte[] h = new byte[HEADER_BYTES];
    h[0] = SEALED;
    System.arraycopy(key.idBytes(), 0, h, 1, DataKeys.ID_BYTES);
    return h;
  }

  private byte[] seal(DataKeys.DataKey key, byte[] plain, byte[] binding) {
    return Aead.seal(key.aes(), header(key), plain, binding);
  }

  private byte[] open(String namespace, byte[] sealed, byte[] binding, String what) {
    return open(sealed, binding, what, openingKeys(namespace));
  }

  /** The AES key of each data key id of {@code namespace}, read from storage when not yet known. */
  private Function<String, SecretKey> openingKeys(String namespace) {
    return id -> keys.forOpening(namespace, id).aes();
  }

  private static byte[] open(byte[] sealed, byte[] binding, String what, Function<String, SecretKey> keyById) {
    if (sealed.length < HEADER_BYTES) {
      throw new SyncException(EngineError.CORRUPT_STATE, what + " is too short to be sealed");
    }
    return Aead.open(keyById.apply(keyId(sealed)), sealed, HEADER_BYTES, binding, what);
  }

  private static String keyId(byte[] sealed) {
    return HexFormat.of().formatHex(sealed, 1, HEADER_BYTES);
  }

  static boolean isSealed(byte[] value) {
    return value.length > 0 && value[0] == SEALED;
  }

  private static byte[] stateBinding(String namespace, String id, String winningRev, boolean deleted) {
    return Aead.binding("state", namespace, id, winningRev, deleted ? "deleted" : "live");
  }

  private StoredDocument open(String namespace, StoredDocument sd) {
    return open(namespace, sd, openingKeys(namespace));
  }

  private static StoredDocument open(String namespace, StoredDocument sd, Function<String, SecretKey> keyById) {
    if (!isSealed(sd.state())) {
      return sd;
    }
    byte[] state = open(sd.state(), stateBinding(namespace, sd.id(), sd.winningRev(), sd.deleted()),
        "the stored state of " + sd.id() + " in " + namespace, keyById);
    return new StoredDocument(sd.id(), sd.seq(), sd.timestamp(), sd.winningRev(), sd.deleted(), state);
  }

  private List<StoredDocument> openAll(String namespace, List<StoredDocument> docs) {
    if (docs.size() < Parallel.MIN_ITEMS) {
      List<StoredDocument> out = new ArrayList<>(docs.size());
      for (StoredDocument sd : docs) {
        out.add(open(namespace, sd));
      }
      return out;
    }
    // The data keys are looked up here, on the calling thread (a key not yet known is read from
    // storage); only the decryption is spread out.
    Map<String, SecretKey> known = new HashMap<>();
    Function<String, SecretKey> lookUp = openingKeys(namespace);
    for (StoredDocument sd : docs) {
      if (isSealed(sd.state()) && sd.state().length >= HEADER_BYTES) {
        known.computeIfAbsent(keyId(sd.state()), lookUp);
      }
    }
    return Parallel.map(docs, sd -> open(namespace, sd, known::get));
  }

  private String sealMetadata(DataKeys.DataKey key, String namespace, String name, String value) {
    byte[] sealed = seal(key, value.getBytes(StandardCharsets.UTF_8), Aead.binding("metadata", namespace, name));
    return META_PREFIX + Base64.getEncoder().encodeToString(sealed);
  }

  private NamespaceInfo opened(NamespaceInfo info) {
    keys.observe(info);
    Map<String, String> metadata = new HashMap<>();
    info.metadata().forEach((name, value) -> {
      if (!DataKeys.isEntry(name)) {
        metadata.put(name, value.startsWith(META_PREFIX) ? openMetadata(info.name(), name, value) : value);
      }
    });
    return new NamespaceInfo(info.name(), metadata, info.lastSeq(), info.lastTimestamp(), info.documentCount(),
        info.deletedCount());
  }

  /** Opens a metadata value; the same sealed text in the same place opens to the same text, so it is kept. */
  private String openMetadata(String namespace, String name, String value) {
    String cacheKey = namespace + '\0' + name + '\0' + value;
    String cached = openedMetadata.get(cacheKey);
    if (cached != null) {
      return cached;
    }
    byte[] sealed;
    try {
      sealed = Base64.getDecoder().decode(value.substring(META_PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new SyncException(EngineError.CORRUPT_STATE, "the metadata " + name + " of " + namespace + " is malformed");
    }
    String clear = new String(open(namespace, sealed, Aead.binding("metadata", namespace, name),
        "the metadata " + name + " of " + namespace), StandardCharsets.UTF_8);
    if (openedMetadata.size() >= META_CACHE_LIMIT) {
      openedMetadata.clear();
    }
    openedMetadata.put(cacheKey, clear);
    return clear;
  }

  private static void checkMetadataName(String name) {
    if (DataKeys.isEntry(name)) {
      throw new SyncException(StorageError.INVALID_ARGUMENT, "metadata keys starting with "
          + DataKeys.ENTRY + " hold the data keys and are not written directly");
    }
  }

  private static String blobName(DataKeys.DataKey key, String blobKey) {
    try {
      Mac hmac = Mac.getInstance("HmacSHA256");
      hmac.init(key.mac());
      byte[] tag = hmac.doFinal(blobKey.getBytes(StandardCharsets.UTF_8));
      return BLOB_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(tag);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code query} tests or sorts by a member of the body. */
  static boolean touchesBody(Query query) {
    return touchesBody(query.filter())
        || query.sort().stream().anyMatch(k -> k.field() instanceof Query.Field.Body);
  }

  private static boolean touchesBody(Query.Filter filter) {
    return switch (filter) {
      case Query.Filter.All a -> false;
      case Query.Filter.Compare c -> c.field() instanceof Query.Field.Body;
      case Query.Filter.In in -> in.field() instanceof Query.Field.Body;
      case Query.Filter.Exists e -> e.field() instanceof Query.Field.Body;
      case Query.Filter.And and -> and.filters().stream().anyMatch(SealedStorage::touchesBody);
      case Query.Filter.Or or -> or.filters().stream().anyMatch(SealedStorage::touchesBody);
      case Query.Filter.Not not -> touchesBody(not.filter());
    };
  }

  // ---------------------------------------------------------------- the parts

  private final class Namespaces implements NamespaceStore {
    private final NamespaceStore raw = inner.namespaces();

    @Override
    public NamespaceInfo create(String name, Map<String, String> metadata) {
      metadata.keySet().forEach(SealedStorage::checkMetadataName);
      if (!sealing) {
        return opened(raw.create(name, metadata));
      }
      DataKeys.NewKey fresh = keys.create(name);
      Map<String, String> stored = new LinkedHashMap<>();
      metadata.forEach((k, v) -> stored.put(k, k.equals(CLEAR_METADATA) ? v : sealMetadata(fresh.key(), name, k, v)));
      stored.put(DataKeys.ENTRY + fresh.key().id(), fresh.entry());
      return opened(raw.create(name, stored));
    }

    @Override
    public Optional<NamespaceInfo> get(String name) {
      return raw.get(name).map(SealedStorage.this::opened);
    }

    @Override
    public List<NamespaceInfo> list(String afterName, int limit) {
      return raw.list(afterName, limit).stream().map(SealedStorage.this::opened).toList();
    }

    @Override
    public NamespaceInfo putMetadata(String name, String key, String value) {
      checkMetadataName(key);
      String stored = value == null || !sealing || key.equals(CLEAR_METADATA)
          ? value
          : sealMetadata(keys.forSealing(name), name, key, value);
      return opened(raw.putMetadata(name, key, stored));
    }

    @Override
    public void drop(String name) {
      try {
        raw.drop(name);
      } finally {
        keys.forget(name);
      }
    }
  }

  private final class Documents implements DocumentStore {
    private final DocumentStore raw = inner.documents();

    @Override
    public Optional<StoredDocument> get(String namespace, String id) {
      return raw.get(namespace, id).map(sd -> open(namespace, sd));
    }

    @Override
    public List<StoredDocument> getAll(String namespace, List<String> ids) {
      return openAll(namespace, raw.getAll(namespace, ids));
    }

    @Override
    public List<StoredDocument> range(String namespace, KeyRange range) {
      return openAll(namespace, raw.range(namespace, range));
    }

    @Override
    public List<WriteResult> write(String namespace, List<WriteItem> items) {
      if (!sealing || items.isEmpty()) {
        return raw.write(namespace, items);
      }
      DataKeys.DataKey key = keys.forSealing(namespace);
      List<WriteItem> sealed = new ArrayList<>(items.size());
      for (WriteItem item : items) {
        byte[] state = seal(key, item.state(),
            stateBinding(namespace, item.id(), item.winningRev(), item.deleted()));
        sealed.add(new WriteItem(item.id(), item.winningRev(), item.deleted(), state, item.expectedSeq(),
            Optional.empty()));
      }
      return raw.write(namespace, sealed);
    }

    @Override
    public List<StoredDocument> changes(String namespace, ChangesRange range) {
      return openAll(namespace, raw.changes(namespace, range));
    }
  }

  private final class Locals implements LocalStore {
    private final LocalStore raw = inner.locals();

    @Override
    public Optional<LocalDocument> get(String namespace, String id) {
      return raw.get(namespace, id).map(ld -> isSealed(ld.body())
          ? new LocalDocument(ld.id(), ld.version(), open(namespace, ld.body(), Aead.binding("local", namespace, id),
              "the local document " + id + " of " + namespace))
          : ld);
    }

    @Override
    public List<LocalDocument> list(String namespace, String afterId, int limit) {
      return raw.list(namespace, afterId, limit).stream().map(ld -> isSealed(ld.body())
          ? new LocalDocument(ld.id(), ld.version(), open(namespace, ld.body(), Aead.binding("local", namespace,
              ld.id()), "the local document " + ld.id() + " of " + namespace))
          : ld).toList();
    }

    @Override
    public long put(String namespace, String id, byte[] body, long expectedVersion) {
      byte[] stored = sealing
          ? seal(keys.forSealing(namespace), body, Aead.binding("local", namespace, id))
          : body;
      return raw.put(namespace, id, stored, expectedVersion);
    }

    @Override
    public void delete(String namespace, String id, long expectedVersion) {
      raw.delete(namespace, id, expectedVersion);
    }
  }

  private final class Blobs implements BlobStore {
    private final BlobStore raw = inner.blobs();

    @Override
    public void put(String namespace, String key, byte[] data) {
      if (!sealing) {
        raw.put(namespace, key, data);
        return;
      }
      if (data.length > capabilities.maxValueBytes()) {
        throw new SyncException(StorageError.VALUE_TOO_LARGE,
            "blob of " + data.length + " bytes above " + capabilities.maxValueBytes());
      }
      DataKeys.DataKey dataKey = keys.forSealing(namespace);
      raw.put(namespace, blobName(dataKey, key), seal(dataKey, data, Aead.binding("blob", namespace, key)));
    }

    @Override
    public Optional<byte[]> get(String namespace, String key) {
      Optional<byte[]> found = find(namespace, key, false);
      if (found.isEmpty()) {
        // A data key another process made since this one last looked may name it.
        found = find(namespace, key, true);
      }
      return found;
    }

    private Optional<byte[]> find(String namespace, String key, boolean fresh) {
      for (DataKeys.DataKey dataKey : keys.all(namespace, fresh)) {
        Optional<byte[]> sealed = raw.get(namespace, blobName(dataKey, key));
        if (sealed.isPresent()) {
          return Optional.of(open(namespace, sealed.get(), Aead.binding("blob", namespace, key),
              "the blob " + key + " of " + namespace));
        }
      }
      return raw.get(namespace, key);
    }

    @Override
    public boolean delete(String namespace, String key) {
      boolean any = false;
      for (DataKeys.DataKey dataKey : keys.all(namespace, true)) {
        any |= raw.delete(namespace, blobName(dataKey, key));
      }
      return raw.delete(namespace, key) | any;
    }
  }
}
