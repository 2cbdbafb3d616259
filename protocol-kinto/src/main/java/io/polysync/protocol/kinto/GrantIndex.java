package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.AllDocsOptions;
import io.polysync.engine.AllDocsResult;
import io.polysync.engine.ChangesOptions;
import io.polysync.engine.ChangesResult;
import io.polysync.engine.Database;
import io.polysync.engine.Document;
import io.polysync.engine.DocumentWrite;
import io.polysync.engine.EngineError;
import io.polysync.engine.WriteOutcome;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which records name which principal in their own permissions: the index behind what a caller
 * sees of a collection it may not read as a whole (a list, {@code /permissions}), so that the
 * caller's cost follows the records shared with it, never the number of records shared with
 * others.
 *
 * <p>One entry per (principal, bucket, collection, record) in the system database {@value
 * #DATABASE}, an empty document with the id {@code P:BID:CID:RID}, where {@code P} is the first 32
 * hex digits of the principal's SHA-256 (principals are free text; bucket, collection and record
 * ids hold no colon). The principals of a record are those its {@code read} and {@code write}
 * permissions name.
 *
 * <p>The index follows the changes feed of {@value RecordStore#ACL_DATABASE}, as a CouchDB view
 * follows its database: every read first indexes the permissions written since the sequence it
 * last reached (kept in memory, and in the index database's metadata for the next start), so
 * permissions written by any process, by an import or by an older version are all indexed before
 * they are looked up, and writes pay nothing for the index. An entry is only a candidate: readers
 * check each against the record's stored permissions. Entries are not removed when a grant is
 * revoked (a revoked grant leaves an entry that costs its former holder one permission read and
 * shows nothing); dropping a collection removes the entries of the grants its records held then.
 *
 * <p>Thread-safe.
 */
final class GrantIndex {
  static final String DATABASE = "_kinto_grants";
  /** The sequence of {@value RecordStore#ACL_DATABASE} up to which every grant has its entry. */
  private static final String SEQ_KEY = "kinto.grants_indexed_seq";
  private static final int PAGE = 1_000;
  private static final List<String> INDEXED = List.of("read", "write");

  private final Database entries;
  private final Database acl;
  /** How far this process has indexed; -1 until it has read the metadata. */
  private final AtomicLong indexed = new AtomicLong(-1);
  private final ReentrantLock catchingUp = new ReentrantLock();

  GrantIndex(Database entries, Database acl) {
    this.entries = entries;
    this.acl = acl;
  }

  /**
   * Indexes every permission written to {@value RecordStore#ACL_DATABASE} since the last call: one
   * read when nothing was. Runs before every lookup, and at start so that the first request does
   * not index a whole storage's permissions.
   */
  void catchUp() {
    long from = indexed.get();
    if (from >= 0 && acl.changes(ChangesOptions.since(from).withLimit(1)).results().isEmpty()) {
      return;
    }
    catchingUp.lock();
    try {
      from = indexed.get();
      if (from < 0) {
        from = entries.metadata(SEQ_KEY).map(Long::parseLong).orElse(0L);
      }
      long start = from;
      while (true) {
        ChangesResult page = acl.changes(ChangesOptions.since(from).withIncludeDocs(true).withLimit(PAGE));
        List<String> ids = new ArrayList<>();
        for (ChangesResult.Row row : page.results()) {
          String[] key = row.id().split(":", 3);
          if (key.length == 3 && !row.deleted() && row.doc().isPresent()) {
            for (String p : principals(Perms.fromStored(row.doc().get().get("permissions")))) {
              ids.add(entryId(p, key[0], key[1], key[2]));
            }
          }
        }
        write(ids, false);
        from = Math.max(from, page.lastSeq());
        if (page.results().size() < PAGE) {
          break;
        }
      }
      indexed.set(from);
      if (from != start) {
        entries.setMetadata(SEQ_KEY, Long.toString(from));
      }
    } finally {
      catchingUp.unlock();
    }
  }

  /** The principals an index entry is kept for: those {@code perms} names for read or write. */
  static Set<String> principals(Perms perms) {
    Set<String> out = new LinkedHashSet<>();
    for (String name : INDEXED) {
      out.addAll(perms.get(name));
    }
    return out;
  }

  /** The ids of the records of one collection with an entry for one of {@code principals}. */
  Set<String> records(String bucket, String collection, Collection<String> principals) {
    catchUp();
    Set<String> out = new LinkedHashSet<>();
    for (String principal : principals) {
      String prefix = hash(principal) + ":" + bucket + ":" + collection + ":";
      out.addAll(idsUnder(entries, prefix));
    }
    return out;
  }

  /**
   * Every (bucket, collection, record) with an entry for one of {@code principals}, as {@code
   * BID:CID:RID} keys of {@value RecordStore#ACL_DATABASE}.
   */
  Set<String> keys(Collection<String> principals) {
    catchUp();
    Set<String> out = new LinkedHashSet<>();
    for (String principal : principals) {
      out.addAll(idsUnder(entries, hash(principal) + ":"));
    }
    return out;
  }

  /** The ids of the live documents of {@code db} that start with {@code prefix}, without it, in id order. */
  static List<String> idsUnder(Database db, String prefix) {
    List<String> out = new ArrayList<>();
    String after = prefix;
    boolean first = true;
    while (true) {
      AllDocsResult page = db.allDocs(AllDocsOptions.defaults()
          .withRange(after, prefix + Character.MAX_VALUE).withInclusiveEnd(false)
          .withLimit(PAGE).withSkip(first ? 0 : 1));
      for (AllDocsResult.Row row : page.rows()) {
        out.add(row.id().substring(prefix.length()));
        after = row.id();
      }
      if (page.rows().size() < PAGE) {
        return out;
      }
      first = false;
    }
  }

  /** Removes the entries for {@code principals} of each record (record id to principals). */
  void remove(String bucket, String collection, Map<String, Set<String>> principals) {
    List<String> ids = new ArrayList<>();
    principals.forEach((record, names) -> names.forEach(p -> ids.add(entryId(p, bucket, collection, record))));
    write(ids, true);
  }

  private void write(List<String> ids, boolean delete) {
    for (int from = 0; from < ids.size(); from += PAGE) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + PAGE));
      for (int attempt = 0; attempt < 5 && !chunk.isEmpty(); attempt++) {
        // Most added entries are new: the first attempt creates them unread, and only those that
        // conflict (present already, or a tombstone of a dropped collection) are read and written
        // again.
        Map<String, Document> current = !delete && attempt == 0 ? Map.of() : entries.winners(chunk);
        List<DocumentWrite> writes = new ArrayList<>();
        for (String id : chunk) {
          var d = current.get(id);
          boolean live = d != null && !d.deleted();
          if (live == !delete) {
            continue; // already as wanted
          }
          ObjectNode doc = Json.object();
          doc.put("_id", id);
          if (d != null) {
            doc.put("_rev", d.rev());
          }
          if (delete) {
            doc.put("_deleted", true);
          }
          writes.add(DocumentWrite.of(doc));
        }
        List<WriteOutcome> outcomes = entries.bulkDocs(writes, true);
        List<String> retry = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
          if (outcomes.get(i) instanceof WriteOutcome.Failed f) {
            if (f.error() != EngineError.DOCUMENT_CONFLICT) {
              throw f.toException();
            }
            retry.add(writes.get(i).doc().get("_id").asText()); // another writer came first: look again
          }
        }
        chunk = retry;
      }
    }
  }

  static String entryId(String principal, String bucket, String collection, String record) {
    return hash(principal) + ":" + bucket + ":" + collection + ":" + record;
  }

  private static String hash(String principal) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(principal.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
  }
}
