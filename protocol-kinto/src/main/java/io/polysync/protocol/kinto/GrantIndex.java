package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.AllDocsOptions;
import io.polysync.engine.AllDocsResult;
import io.polysync.engine.Database;
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
 * <p>An entry is only a candidate: readers check each against the record's stored permissions.
 * Entries are added before the permissions that grant them are written, and are not removed when a
 * grant is revoked, so every stored grant has its entry whatever the order of concurrent writers or
 * a crash between the two writes, without locks. A revoked grant leaves an entry that costs its
 * former holder one permission read and shows nothing; dropping a collection removes the entries of
 * the grants its records held then.
 *
 * <p>Thread-safe.
 */
final class GrantIndex {
  static final String DATABASE = "_kinto_grants";
  /** Set on the index database once every stored grant has its entry. */
  private static final String BUILT_KEY = "kinto.grants_built";
  private static final int PAGE = 1_000;
  private static final List<String> INDEXED = List.of("read", "write");

  private final Database entries;

  GrantIndex(Database entries) {
    this.entries = entries;
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
    Set<String> out = new LinkedHashSet<>();
    for (String principal : principals) {
      String prefix = hash(principal) + ":" + bucket + ":" + collection + ":";
      scan(prefix, id -> out.add(id.substring(prefix.length())));
    }
    return out;
  }

  /**
   * Every (bucket, collection, record) with an entry for one of {@code principals}, as {@code
   * BID:CID:RID} keys of {@value RecordStore#ACL_DATABASE}.
   */
  Set<String> keys(Collection<String> principals) {
    Set<String> out = new LinkedHashSet<>();
    for (String principal : principals) {
      String prefix = hash(principal) + ":";
      scan(prefix, id -> out.add(id.substring(prefix.length())));
    }
    return out;
  }

  private void scan(String prefix, java.util.function.Consumer<String> each) {
    String after = prefix;
    boolean first = true;
    while (true) {
      AllDocsResult page = entries.allDocs(AllDocsOptions.defaults()
          .withRange(after, prefix + Character.MAX_VALUE).withInclusiveEnd(false)
          .withLimit(PAGE).withSkip(first ? 0 : 1));
      for (AllDocsResult.Row row : page.rows()) {
        each.accept(row.id());
        after = row.id();
      }
      if (page.rows().size() < PAGE) {
        return;
      }
      first = false;
    }
  }

  /** Adds the entries for {@code principals} of each record (record id to principals). */
  void add(String bucket, String collection, Map<String, Set<String>> principals) {
    List<String> ids = new ArrayList<>();
    principals.forEach((record, names) -> names.forEach(p -> ids.add(entryId(p, bucket, collection, record))));
    write(ids, false);
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
        // conflict (present, or a tombstone of a dropped collection) are read and written again.
        var current = !delete && attempt == 0 ? Map.<String, io.polysync.engine.Document>of() : entries.winners(chunk);
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

  /**
   * Makes sure every grant stored in {@code acl} has its entry: once per storage, for permissions
   * written before the index existed (or restored from a backup without it). Safe to run from
   * several processes at once: adding an entry twice is a no-op.
   */
  void buildOnce(Database acl) {
    if (entries.metadata(BUILT_KEY).isPresent()) {
      return;
    }
    String after = "";
    boolean first = true;
    while (true) {
      AllDocsResult page = acl.allDocs(AllDocsOptions.defaults().withIncludeDocs(true).withLimit(PAGE)
          .withRange(after, String.valueOf(Character.MAX_VALUE)).withSkip(first ? 0 : 1));
      List<String> ids = new ArrayList<>();
      for (AllDocsResult.Row row : page.rows()) {
        String[] key = row.id().split(":", 3);
        if (key.length == 3 && row.doc().isPresent()) {
          for (String p : principals(Perms.fromStored(row.doc().get().get("permissions")))) {
            ids.add(entryId(p, key[0], key[1], key[2]));
          }
        }
        after = row.id();
      }
      write(ids, false);
      if (page.rows().size() < PAGE) {
        break;
      }
      first = false;
    }
    entries.setMetadata(BUILT_KEY, "1");
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
