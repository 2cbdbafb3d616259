package io.polysync.engine.internal;

import static io.polysync.engine.internal.DefaultSyncEngine.call;

import com.fasterxml.jackson.databind.JsonNode;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.DocumentStore;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.StorageError;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.SyncException;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-user indexes of an owned database: for each (database, user) one namespace of the
 * storage, holding one entry per document the user may read or could read before. An entry is a
 * stored document with the document's id, its winning revision and a deleted flag (deleted: the
 * document is deleted or no longer shared with the user), so the index namespace's own sequence
 * is the user's changes feed and its id order the user's {@code _all_docs}: a user's reads cost
 * what its own documents cost, whatever the database holds besides.
 *
 * <p>Entries are written after the document's own write commits (the SPI has no batch across
 * namespaces), so every document write is followed by an index write with a higher index sequence:
 * a follower of the index never misses a document's final state. An entry is only a pointer: a
 * reader renders every row from the document as stored now and checks its owner and readers again,
 * so an entry that is stale (a lost race, a crash between the two writes) never shows what the user
 * may not read. {@link #repair} rewrites what a crash left out. Index entries hold nothing sealed
 * (ids, revisions and sequences are in clear in the database too), so they are written below the
 * sealing layer and cost no data key.
 *
 * <p>Thread-safe.
 */
final class OwnedIndex {
  /** The body member naming the users a document is shared with. */
  static final String READERS_FIELD = "readers";
  /** The most readers one document may name: each is an index write on every change. */
  static final int MAX_READERS = 100;
  static final String PREFIX = "_own_";
  private static final String WATERMARK_KEY = "engine.owned_indexed";
  private static final byte[] ENTRY = {1};
  private static final int READY_LIMIT = 100_000;

  private final DefaultSyncEngine engine;
  private final Set<String> ready = ConcurrentHashMap.newKeySet();

  OwnedIndex(DefaultSyncEngine engine) {
    this.engine = engine;
  }

  /** Who may read a document with this tree: its owner and, while it is not deleted, its readers. */
  static Set<String> audience(RevTree tree) {
    Set<String> out = new LinkedHashSet<>();
    tree.owner().ifPresent(out::add);
    RevTree.Node winner = tree.winner();
    if (!winner.deleted()) {
      out.addAll(readers(winner.body().map(b -> b.get(READERS_FIELD)).orElse(null)));
    }
    return out;
  }

  /** The user names in a {@code readers} member; anything that is not a string is ignored. */
  static List<String> readers(JsonNode value) {
    if (value == null || !value.isArray()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (JsonNode v : value) {
      if (v.isTextual() && !v.textValue().isEmpty()) {
        out.add(v.textValue());
      }
    }
    return out;
  }

  /**
   * The revision a former reader's feed shows for a document no longer shared with it: a deletion
   * on top of the winner, the same for every reader and request, so that a replica that fetches it
   * stores a tombstone over the revision it had and drops the document.
   */
  static Rev removalRev(Rev winner) {
    return new Rev(winner.gen() + 1, md5Hex("polysync-removed:" + winner));
  }

  /** The index namespace of {@code user} on {@code database}: fixed length, sorted under the database's prefix. */
  static String namespace(String database, String user) {
    return prefix(database) + sha256Hex(user).substring(0, 32);
  }

  /** What every index namespace of {@code database} starts with. */
  static String prefix(String database) {
    return PREFIX + sha256Hex(database).substring(0, 24) + "_";
  }

  private static String sha256Hex(String text) {
    return digestHex("SHA-256", text);
  }

  private static String md5Hex(String text) {
    return digestHex("MD5", text);
  }

  private static String digestHex(String algorithm, String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private DocumentStore entries() {
    return engine.listings();
  }

  /** Creates the index namespace of {@code user} if it is missing; returns its name. */
  String ensure(String database, String user) {
    String ns = namespace(database, user);
    if (ready.contains(ns)) {
      return ns;
    }
    if (call(() -> engine.storage.namespaces().get(ns)).isEmpty()) {
      try {
        engine.storage.namespaces().create(ns, Map.of());
      } catch (SyncException e) {
        if (e.errorCode() != StorageError.NAMESPACE_EXISTS) {
          throw DefaultSyncEngine.translate(e);
        }
      }
    }
    if (ready.size() > READY_LIMIT) {
      ready.clear();
    }
    ready.add(ns);
    return ns;
  }

  /** The index namespace's counters, creating it when missing. */
  NamespaceInfo info(String database, String user) {
    String ns = ensure(database, user);
    Optional<NamespaceInfo> found = call(() -> engine.storage.namespaces().get(ns));
    if (found.isEmpty()) {
      // Dropped meanwhile (the database was deleted, perhaps by another process): make it again.
      ready.remove(ns);
      ensure(database, user);
      found = call(() -> engine.storage.namespaces().get(ns));
    }
    return found.orElseThrow(DefaultSyncEngine::databaseNotFound);
  }

  /** One document's change as the index sees it. */
  record Change(String id, Set<String> before, Set<String> after, Rev winner, boolean deleted) {}

  /**
   * Writes the entries {@code changes} call for: for each user in {@code after} the document's
   * winner, for each user only in {@code before} a removal. One read and one write per user
   * touched; an entry that already says the same is left alone.
   */
  void update(String database, List<Change> changes) {
    update(database, changes, false);
  }

  /**
   * @param onlyIfBehind leave an entry whose revision is of the same or a later generation (a
   *     repair that read a document before a concurrent write must not take its entry back)
   */
  private void update(String database, List<Change> changes, boolean onlyIfBehind) {
    Map<String, Map<String, WriteItem>> byUser = new TreeMap<>();
    for (Change c : changes) {
      for (String user : c.after()) {
        byUser.computeIfAbsent(user, u -> new java.util.LinkedHashMap<>())
            .put(c.id(), entry(c.id(), c.winner().toString(), c.deleted()));
      }
      for (String user : c.before()) {
        if (!c.after().contains(user)) {
          byUser.computeIfAbsent(user, u -> new java.util.LinkedHashMap<>())
              .put(c.id(), entry(c.id(), removalRev(c.winner()).toString(), true));
        }
      }
    }
    byUser.forEach((user, items) -> {
      String ns = ensure(database, user);
      try {
        write(ns, items, onlyIfBehind);
      } catch (SyncException e) {
        if (e.errorCode() != io.polysync.engine.EngineError.DATABASE_NOT_FOUND) {
          throw e;
        }
        // Known here but dropped meanwhile, as above.
        ready.remove(ns);
        write(ensure(database, user), items, onlyIfBehind);
      }
    });
  }

  private static WriteItem entry(String id, String rev, boolean deleted) {
    return new WriteItem(id, rev, deleted, ENTRY, 0, Optional.empty());
  }

  /** Compare-and-set writes of index entries, retried on conflict; unchanged ones are skipped. */
  private void write(String ns, Map<String, WriteItem> wanted, boolean onlyIfBehind) {
    Map<String, WriteItem> pending = new HashMap<>(wanted);
    int max = engine.storage.capabilities().maxBatchSize();
    for (int attempt = 0; attempt < 20 && !pending.isEmpty(); attempt++) {
      List<String> ids = new ArrayList<>(pending.keySet());
      Map<String, StoredDocument> stored = new HashMap<>();
      for (int from = 0; from < ids.size(); from += max) {
        List<String> part = ids.subList(from, Math.min(ids.size(), from + max));
        call(() -> entries().getAll(ns, part)).forEach(sd -> stored.put(sd.id(), sd));
      }
      List<WriteItem> items = new ArrayList<>();
      for (String id : ids) {
        WriteItem want = pending.get(id);
        StoredDocument sd = stored.get(id);
        boolean same = sd != null && sd.winningRev().equals(want.winningRev()) && sd.deleted() == want.deleted();
        if (same || (sd != null && onlyIfBehind
            && Rev.parse(sd.winningRev()).gen() >= Rev.parse(want.winningRev()).gen())) {
          pending.remove(id);
          continue;
        }
        items.add(new WriteItem(id, want.winningRev(), want.deleted(), want.state(), sd == null ? 0 : sd.seq(),
            Optional.empty()));
      }
      long committed = 0;
      for (int from = 0; from < items.size(); from += max) {
        List<WriteItem> part = items.subList(from, Math.min(items.size(), from + max));
        for (WriteResult r : call(() -> entries().write(ns, part))) {
          switch (r) {
            case WriteResult.Written w -> {
              pending.remove(w.id());
              committed = Math.max(committed, w.seq());
            }
            case WriteResult.Conflict c -> { /* read again and retry */ }
            case WriteResult.Rejected rejected -> throw DefaultSyncEngine.translate(rejected.error());
          }
        }
      }
      if (committed > 0) {
        engine.notifier.committed(ns, committed);
      }
    }
    if (!pending.isEmpty()) {
      throw new SyncException(StorageError.UNAVAILABLE,
          "the owned-documents index kept changing concurrently; the next write or repair completes it");
    }
  }

  /**
   * Brings the indexes of {@code database} up to date with every document written since the last
   * repair (the watermark kept in the database's metadata), for writes whose index update a crash
   * cut off. Idempotent: entries that are right are only read. A removal that a crash cut off
   * cannot be rebuilt (the former readers are no longer known); the former reader still cannot read
   * the document, its replica is just not told.
   *
   * @return how many documents it examined
   */
  long repair(String database) {
    NamespaceInfo ns = call(() -> engine.storage.namespaces().get(database))
        .orElseThrow(DefaultSyncEngine::databaseNotFound);
    String mark = ns.metadata().get(WATERMARK_KEY);
    long since = mark == null ? 0 : Long.parseLong(mark);
    long examined = 0;
    while (true) {
      long from = since;
      List<StoredDocument> page = call(() -> engine.storage.documents()
          .changes(database, ChangesRange.after(from, DefaultDatabase.PAGE)));
      if (page.isEmpty()) {
        break;
      }
      List<Change> changes = new ArrayList<>();
      for (StoredDocument sd : page) {
        RevTree tree = engine.codec.decode(sd.state());
        RevTree.Node winner = tree.winner();
        Set<String> who = audience(tree);
        changes.add(new Change(sd.id(), who, who, winner.rev(), winner.deleted()));
        since = sd.seq();
      }
      update(database, changes, true);
      examined += page.size();
      long reached = since;
      call(() -> engine.storage.namespaces().putMetadata(database, WATERMARK_KEY, Long.toString(reached)));
      if (page.size() < DefaultDatabase.PAGE) {
        break;
      }
    }
    return examined;
  }

  /** Drops every index namespace of {@code database}, when the database itself is dropped. */
  void dropAll(String database) {
    String prefix = prefix(database);
    while (true) {
      List<NamespaceInfo> found = call(() -> engine.storage.namespaces().list(prefix, 100));
      List<String> mine = found.stream().map(NamespaceInfo::name).filter(n -> n.startsWith(prefix)).toList();
      for (String name : mine) {
        try {
          engine.storage.namespaces().drop(name);
        } catch (SyncException e) {
          if (e.errorCode() != StorageError.NAMESPACE_NOT_FOUND) {
            throw DefaultSyncEngine.translate(e);
          }
        }
        ready.remove(name);
        engine.notifier.forget(name);
      }
      if (mine.size() < found.size() || found.isEmpty()) {
        return;
      }
    }
  }
}
