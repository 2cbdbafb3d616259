package io.polysync.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.EngineError;
import io.polysync.engine.User;
import io.polysync.engine.UserContext;
import io.polysync.engine.UserStore;
import io.polysync.spi.LocalDocument;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Users as local documents of the storage namespace {@value #NAMESPACE} (compare-and-set, one
 * indexed read per check), with the set of names as that namespace's metadata keys because local
 * documents cannot be listed. A leading underscore keeps the namespace out of CouchDB database
 * names and listings.
 *
 * <p>PouchDB sends Basic credentials with every request, so a successful check is remembered by a
 * SHA-256 of the stored hash, name and password: a changed password misses the cache, and a wrong
 * password always pays the slow hash.
 */
final class DefaultUserStore implements UserStore {
  static final String NAMESPACE = "_users";
  private static final String NAME_KEY = "user.";
  private static final int CACHE_LIMIT = 1024;
  private static final int FAILURE_LIMIT = 10_000;
  private static final int MAX_ATTEMPTS = 20;
  /** Hashed when a name is unknown, so a probe cannot tell names apart by time. */
  private static final String DUMMY_HASH = PasswordHash.hash("not a password");

  private final Storage storage;
  private final Clock clock;
  private final Set<String> verified = ConcurrentHashMap.newKeySet();
  private final Map<String, Failures> failures = new ConcurrentHashMap<>();
  /** Records by name, so a request does not read storage to check its credentials. */
  private final RecentCache<Stored> records;
  private volatile boolean namespaceReady;

  private record Failures(int count, long lockedUntil) {}

  private record Stored(User user, String hash) {}

  DefaultUserStore(Storage storage, Clock clock, long cacheMillis) {
    this.storage = storage;
    this.clock = clock;
    this.records = new RecentCache<>(cacheMillis, CACHE_LIMIT, System::nanoTime);
  }

  private void ensureNamespace() {
    if (namespaceReady) {
      return;
    }
    if (storage.namespaces().get(NAMESPACE).isEmpty()) {
      try {
        storage.namespaces().create(NAMESPACE, Map.of());
      } catch (SyncException e) {
        if (e.errorCode() != StorageError.NAMESPACE_EXISTS) {
          throw e;
        }
      }
    }
    namespaceReady = true;
  }

  @Override
  public Optional<User> authenticate(String name, String password) {
    long now = clock.millis();
    Failures f = failures.get(name);
    if (f != null && f.lockedUntil > now) {
      return Optional.empty();
    }
    Optional<Stored> stored = validName(name) ? read(name) : Optional.empty();
    boolean ok;
    if (stored.isEmpty()) {
      PasswordHash.matches(password, DUMMY_HASH);
      ok = false;
    } else {
      String fingerprint = fingerprint(stored.get().hash, name, password);
      ok = verified.contains(fingerprint);
      if (!ok && PasswordHash.matches(password, stored.get().hash)) {
        if (verified.size() >= CACHE_LIMIT) {
          verified.clear();
        }
        verified.add(fingerprint);
        ok = true;
      }
    }
    if (ok) {
      failures.remove(name);
      return Optional.of(stored.get().user);
    }
    if (failures.size() >= FAILURE_LIMIT) {
      // Bounded memory under a spray of names; the lockouts in force are lost, not the accounts.
      failures.clear();
    }
    failures.compute(name, (k, old) -> {
      int count = old == null || old.lockedUntil != 0 && old.lockedUntil <= now ? 1 : old.count + 1;
      long lockedUntil = count >= MAX_FAILURES ? now + LOCKOUT_SECONDS * 1000L : 0;
      return new Failures(count, lockedUntil);
    });
    return Optional.empty();
  }

  private static String fingerprint(String hash, String name, String password) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(hash.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(name.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(password.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Optional<User> get(String name) {
    return validName(name) ? read(name).map(Stored::user) : Optional.empty();
  }

  /** A record no older than the cache bound, for checks on the request path. */
  private Optional<Stored> read(String name) {
    Stored cached = records.fresh(name);
    if (cached != null) {
      return Optional.of(cached);
    }
    RecentCache.Stamp stamp = records.stamp();
    Optional<Stored> stored = readStored(name);
    // Unknown names are not kept: a spray of them would only evict the real accounts.
    stored.ifPresent(s -> records.offer(name, s, stamp));
    return stored;
  }

  /** The record as stored now, for the compare-and-set of a change. */
  private Optional<Stored> readStored(String name) {
    ensureNamespace();
    return storage.locals().get(NAMESPACE, name).map(DefaultUserStore::decode);
  }

  private static Stored decode(LocalDocument doc) {
    try {
      JsonNode node = Json.MAPPER.readTree(doc.body());
      List<String> roles = new ArrayList<>();
      node.path("roles").forEach(r -> roles.add(r.asText()));
      User user = new User(node.path("name").asText(), roles, node.path("created").asLong(),
          node.path("updated").asLong(), doc.version());
      return new Stored(user, node.path("hash").asText());
    } catch (IOException e) {
      throw new SyncException(EngineError.CORRUPT_STATE, "a stored user cannot be read", e);
    }
  }

  private static byte[] encode(String name, List<String> roles, long created, long updated, String hash) {
    ObjectNode node = Json.object();
    node.put("name", name);
    roles.forEach(node.putArray("roles")::add);
    node.put("created", created);
    node.put("updated", updated);
    node.put("hash", hash);
    try {
      return Json.MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public List<User> list(String afterName, int limit) {
    ensureNamespace();
    Set<String> names = new TreeSet<>();
    storage.namespaces().get(NAMESPACE).ifPresent(ns -> ns.metadata().keySet().stream()
        .filter(k -> k.startsWith(NAME_KEY))
        .map(k -> k.substring(NAME_KEY.length()))
        .filter(n -> n.compareTo(afterName) > 0)
        .forEach(names::add));
    List<User> out = new ArrayList<>();
    for (String name : names) {
      if (out.size() >= limit) {
        break;
      }
      // A name whose record is gone (a delete that stopped half-way) is skipped.
      get(name).ifPresent(out::add);
    }
    return out;
  }

  /**
   * Writes the records stored in clear (before encryption at rest was on) again through the
   * sealing layer, with a compare-and-set on their version; {@code raw} reads below that layer.
   * Returns how many were sealed. Each one's version changes, which ends that user's sessions.
   */
  int sealClearRecords(io.polysync.spi.LocalStore raw) {
    ensureNamespace();
    int sealed = 0;
    for (String key : storage.namespaces().get(NAMESPACE).map(ns -> ns.metadata().keySet()).orElse(Set.of())) {
      if (!key.startsWith(NAME_KEY)) {
        continue;
      }
      String name = key.substring(NAME_KEY.length());
      Optional<LocalDocument> stored = raw.get(NAMESPACE, name);
      if (stored.isEmpty() || SealedStorage.isSealed(stored.get().body())) {
        continue;
      }
      try {
        storage.locals().put(NAMESPACE, name, stored.get().body(), stored.get().version());
        records.invalidate(name);
        sealed++;
      } catch (SyncException e) {
        if (e.errorCode() != StorageError.LOCAL_CONFLICT) {
          throw e;
        }
        // Changed meanwhile, so written through the sealing layer already.
      }
    }
    return sealed;
  }

  @Override
  public User create(String name, String password, List<String> roles) {
    checkPassword(password);
    return createHashed(name, PasswordHash.hash(password), roles);
  }

  @Override
  public User createHashed(String name, String passwordHash, List<String> roles) {
    checkName(name);
    checkRoles(roles);
    if (!PasswordHash.wellFormed(passwordHash)) {
      throw new SyncException(EngineError.INVALID_USER, "the password hash is not in a known format");
    }
    ensureNamespace();
    long now = clock.millis();
    long version;
    try {
      version = storage.locals().put(NAMESPACE, name, encode(name, roles, now, now, passwordHash), 0);
    } catch (SyncException e) {
      if (e.errorCode() == StorageError.LOCAL_CONFLICT) {
        throw new SyncException(EngineError.USER_EXISTS, "A user named " + name + " exists already.", e);
      }
      throw e;
    }
    records.invalidate(name);
    storage.namespaces().putMetadata(NAMESPACE, NAME_KEY + name, "1");
    failures.remove(name);
    return new User(name, roles, now, now, version);
  }

  @Override
  public User setPassword(String name, String password) {
    checkPassword(password);
    String hash = PasswordHash.hash(password);
    User user = update(name, (stored, now) -> encode(name, stored.user.roles(), stored.user.created(), now, hash));
    failures.remove(name);
    return user;
  }

  @Override
  public User setRoles(String name, List<String> roles) {
    checkRoles(roles);
    return update(name, (stored, now) -> encode(name, roles, stored.user.created(), now, stored.hash));
  }

  private interface Change {
    byte[] apply(Stored stored, long now);
  }

  private User update(String name, Change change) {
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      Stored stored = readStored(name).orElseThrow(() -> notFound(name));
      long now = Math.max(clock.millis(), stored.user.updated());
      byte[] body = change.apply(stored, now);
      try {
        long version = storage.locals().put(NAMESPACE, name, body, stored.user.version());
        records.invalidate(name);
        return decode(new LocalDocument(name, version, body)).user;
      } catch (SyncException e) {
        if (e.errorCode() != StorageError.LOCAL_CONFLICT) {
          throw e;
        }
        // Another process changed the record; what this one remembers is older still.
        records.invalidate(name);
      }
    }
    throw new SyncException(EngineError.DOCUMENT_CONFLICT, "The user " + name + " is being changed concurrently.");
  }

  @Override
  public void delete(String name) {
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      Stored stored = readStored(name).orElseThrow(() -> notFound(name));
      try {
        storage.locals().delete(NAMESPACE, name, stored.user.version());
        records.invalidate(name);
        storage.namespaces().putMetadata(NAMESPACE, NAME_KEY + name, null);
        return;
      } catch (SyncException e) {
        if (e.errorCode() != StorageError.LOCAL_CONFLICT) {
          throw e;
        }
        // Another process changed the record; what this one remembers is older still.
        records.invalidate(name);
      }
    }
    throw new SyncException(EngineError.DOCUMENT_CONFLICT, "The user " + name + " is being changed concurrently.");
  }

  private static SyncException notFound(String name) {
    return new SyncException(EngineError.USER_NOT_FOUND, "missing");
  }

  private static boolean validName(String name) {
    return name != null && !name.isEmpty() && name.length() <= 128 && name.indexOf(':') < 0
        && !name.startsWith("_") && name.chars().noneMatch(Character::isISOControl);
  }

  private static void checkName(String name) {
    if (!validName(name)) {
      throw new SyncException(EngineError.INVALID_USER,
          "A user name has 1 to 128 characters, no ':' or control character, and does not start with '_'.");
    }
  }

  private static void checkPassword(String password) {
    if (password == null || password.isEmpty()) {
      throw new SyncException(EngineError.INVALID_USER, "The password must not be empty.");
    }
  }

  private static void checkRoles(List<String> roles) {
    for (String role : roles) {
      if (role == null || role.isEmpty()
          || role.startsWith("_") && !role.equals(UserContext.SERVER_ADMIN)
          || role.startsWith("system.")) {
        throw new SyncException(EngineError.INVALID_USER, "Invalid role: " + role);
      }
    }
    if (roles.stream().distinct().count() != roles.size()) {
      throw new SyncException(EngineError.INVALID_USER, "Roles must not repeat.");
    }
  }
}
