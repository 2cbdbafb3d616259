package io.polysync.engine.internal;

import io.polysync.engine.DataKeyReport;
import io.polysync.engine.EngineError;
import io.polysync.engine.KeyProvider;
import io.polysync.engine.WrappedKey;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.NamespaceStore;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The data keys of each namespace. A data key is 32 random bytes with a random 8-byte id, kept in
 * the namespace's own metadata as {@code engine.dek.<id> = <key-encryption key id>:<base64 of the
 * wrapped key>}; the wrapping binds the namespace name and the data key id.
 *
 * <p>A namespace created with sealing on gets its key in the same step that creates it. One that
 * has none yet (made before encryption was turned on) gets one on its first sealed write; two
 * processes doing that at once each add their own entry, both entries stay, and both processes
 * then seal with the entry whose id sorts first, so no sealed value ever names a key that is lost.
 * What a process knows of a namespace's keys is read again when it is older than a second before
 * it seals, so a namespace dropped and created again by another process is noticed within that.
 */
final class DataKeys {
  static final String ENTRY = "engine.dek.";
  static final int ID_BYTES = 8;
  private static final long REVALIDATE_NANOS = 1_000_000_000L;
  private static final int CACHE_LIMIT = 100_000;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] BLOB_LABEL = "polysync blob keys".getBytes(StandardCharsets.US_ASCII);

  /** An unwrapped data key: AES for values, and an HMAC key derived from it for blob names. */
  record DataKey(String id, byte[] idBytes, SecretKey aes, SecretKey mac) {}

  /** What a namespace's metadata said of its keys when last read: id to entry value, by id. */
  private record Known(NavigableMap<String, String> entries, long readAt) {}

  private final NamespaceStore raw;
  private final Optional<KeyProvider> provider;
  private final Map<String, Known> known = new ConcurrentHashMap<>();
  private final Map<String, DataKey> unwrapped = new ConcurrentHashMap<>();

  DataKeys(NamespaceStore raw, Optional<KeyProvider> provider) {
    this.raw = raw;
    this.provider = provider;
  }

  static boolean isEntry(String metadataKey) {
    return metadataKey.startsWith(ENTRY);
  }

  /** Remembers the keys of a namespace snapshot that passed through. */
  void observe(NamespaceInfo info) {
    if (known.size() >= CACHE_LIMIT) {
      known.clear();
    }
    known.put(info.name(), new Known(entries(info.metadata()), System.nanoTime()));
  }

  void forget(String namespace) {
    known.remove(namespace);
  }

  /** The key to seal with in {@code namespace}, created there if it has none. */
  DataKey forSealing(String namespace) {
    Known k = known.get(namespace);
    if (k == null || k.entries.isEmpty() || System.nanoTime() - k.readAt > REVALIDATE_NANOS) {
      k = refresh(namespace);
    }
    if (k.entries.isEmpty()) {
      NewKey fresh = create(namespace);
      observe(raw.putMetadata(namespace, ENTRY + fresh.key.id(), fresh.entry));
      k = known.get(namespace);
    }
    var first = k.entries.firstEntry();
    return unwrap(namespace, first.getKey(), first.getValue());
  }

  /** The key {@code id} of {@code namespace}, for opening a value sealed with it. */
  DataKey forOpening(String namespace, String id) {
    Known k = known.get(namespace);
    if (k == null || !k.entries.containsKey(id)) {
      k = refresh(namespace);
    }
    String entry = k.entries.get(id);
    if (entry == null) {
      throw new SyncException(EngineError.CORRUPT_STATE, "a value in " + namespace + " is sealed with data key "
          + id + ", which the namespace does not hold (was it dropped and created again while a write was on its"
          + " way?)");
    }
    return unwrap(namespace, id, entry);
  }

  /** Every key of {@code namespace}, sealing key first; empty when it has none. */
  List<DataKey> all(String namespace, boolean fresh) {
    Known k = known.get(namespace);
    if (k == null || fresh) {
      k = refresh(namespace);
    }
    List<DataKey> out = new ArrayList<>();
    k.entries.forEach((id, entry) -> out.add(unwrap(namespace, id, entry)));
    return out;
  }

  boolean hasKeys(String namespace) {
    Known k = known.get(namespace);
    if (k == null || System.nanoTime() - k.readAt > REVALIDATE_NANOS) {
      k = refresh(namespace);
    }
    return !k.entries.isEmpty();
  }

  /** A fresh data key for a namespace about to be created, and the metadata entry that keeps it. */
  record NewKey(DataKey key, String entry) {}

  NewKey create(String namespace) {
    KeyProvider p = provider();
    byte[] secret = new byte[Aead.KEY_BYTES];
    RANDOM.nextBytes(secret);
    byte[] idBytes = new byte[ID_BYTES];
    RANDOM.nextBytes(idBytes);
    String id = HexFormat.of().formatHex(idBytes);
    WrappedKey wrapped = p.wrap(secret, context(namespace, id));
    String entry = format(wrapped);
    DataKey key = dataKey(id, secret);
    unwrapped.put(cacheKey(namespace, id, entry), key);
    return new NewKey(key, entry);
  }

  private Known refresh(String namespace) {
    NamespaceInfo info = raw.get(namespace).orElseThrow(() -> new SyncException(
        StorageError.NAMESPACE_NOT_FOUND, "namespace " + namespace + " does not exist"));
    observe(info);
    return known.get(namespace);
  }

  private DataKey unwrap(String namespace, String id, String entry) {
    String cacheKey = cacheKey(namespace, id, entry);
    DataKey cached = unwrapped.get(cacheKey);
    if (cached != null) {
      return cached;
    }
    byte[] secret = provider().unwrap(parse(namespace, entry), context(namespace, id));
    DataKey key = dataKey(id, secret);
    if (unwrapped.size() >= CACHE_LIMIT) {
      unwrapped.clear();
    }
    unwrapped.put(cacheKey, key);
    return key;
  }

  private KeyProvider provider() {
    return provider.orElseThrow(() -> new SyncException(EngineError.KEY_UNAVAILABLE,
        "this storage holds sealed data and the engine has no key provider; give it the key file"
            + " (--key-file) or POLYSYNC_MASTER_KEY it was sealed under"));
  }

  // ---------------------------------------------------------------- rotation

  /** Reports the data keys of every namespace by wrapping key; with {@code rewrap}, wraps stale ones again. */
  DataKeyReport report(boolean rewrap) {
    KeyProvider p = provider();
    String current = p.currentKeyId();
    Map<String, Integer> byKek = new TreeMap<>();
    List<String> unreadable = new ArrayList<>();
    int namespaces = 0;
    int withoutKey = 0;
    int rewrapped = 0;
    String after = "";
    while (true) {
      List<NamespaceInfo> page = raw.list(after, 500);
      for (NamespaceInfo ns : page) {
        namespaces++;
        NavigableMap<String, String> entries = entries(ns.metadata());
        if (entries.isEmpty()) {
          withoutKey++;
        }
        for (var e : entries.entrySet()) {
          String kek = e.getValue().substring(0, Math.max(0, e.getValue().indexOf(':')));
          if (!rewrap || kek.equals(current)) {
            byKek.merge(kek, 1, Integer::sum);
            continue;
          }
          try {
            byte[] secret = p.unwrap(parse(ns.name(), e.getValue()), context(ns.name(), e.getKey()));
            WrappedKey again = p.wrap(secret, context(ns.name(), e.getKey()));
            raw.putMetadata(ns.name(), ENTRY + e.getKey(), format(again));
            byKek.merge(again.keyId(), 1, Integer::sum);
            rewrapped++;
          } catch (SyncException ex) {
            if (ex.errorCode() == StorageError.NAMESPACE_NOT_FOUND) {
              continue; // dropped meanwhile
            }
            byKek.merge(kek, 1, Integer::sum);
            unreadable.add(ns.name() + ": " + ex.getMessage());
          }
        }
        forget(ns.name());
      }
      if (page.size() < 500) {
        break;
      }
      after = page.get(page.size() - 1).name();
    }
    return new DataKeyReport(current, namespaces, withoutKey, byKek, rewrapped, unreadable);
  }

  // ---------------------------------------------------------------- formats

  private static NavigableMap<String, String> entries(Map<String, String> metadata) {
    NavigableMap<String, String> out = new TreeMap<>();
    metadata.forEach((k, v) -> {
      if (isEntry(k)) {
        out.put(k.substring(ENTRY.length()), v);
      }
    });
    return out;
  }

  private static String format(WrappedKey wrapped) {
    return wrapped.keyId() + ":" + Base64.getEncoder().encodeToString(wrapped.bytes());
  }

  private static WrappedKey parse(String namespace, String entry) {
    int colon = entry.indexOf(':');
    try {
      return new WrappedKey(entry.substring(0, colon), Base64.getDecoder().decode(entry.substring(colon + 1)));
    } catch (RuntimeException e) {
      throw new SyncException(EngineError.CORRUPT_STATE, "a data key entry of " + namespace + " is malformed", e);
    }
  }

  /** What a wrapped data key is bound to: its namespace and its id. */
  private static byte[] context(String namespace, String id) {
    return Aead.binding("data key", namespace, id);
  }

  private static String cacheKey(String namespace, String id, String entry) {
    return namespace + '\0' + id + '\0' + entry;
  }

  private static DataKey dataKey(String id, byte[] secret) {
    try {
      Mac hmac = Mac.getInstance("HmacSHA256");
      hmac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] macKey = hmac.doFinal(BLOB_LABEL);
      return new DataKey(id, HexFormat.of().parseHex(id), new SecretKeySpec(secret, "AES"),
          new SecretKeySpec(macKey, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
