package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.Database;
import io.polysync.engine.Document;
import io.polysync.engine.DocumentWrite;
import io.polysync.engine.EngineError;
import io.polysync.engine.WriteOutcome;
import io.polysync.spi.JsonValue;
import io.polysync.spi.Query;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The records of one collection: the documents of the collection's database (a record's fields are
 * the document's body, its {@code last_modified} the document's write timestamp, a tombstone a
 * deleted winner), with record permissions kept apart in the system database {@value #ACL_DATABASE}
 * under {@code BID:CID:RID}, so the documents PouchDB replicates carry no Kinto bookkeeping.
 */
final class RecordStore implements Store {
  static final String ACL_DATABASE = "_kinto_acl";

  private static final int PAGE = 1_000;

  private final Database records;
  private final Database acl;
  private final GrantIndex grants;
  private final String bucket;
  private final String collection;
  private final String aclPrefix;
  private final long fallbackTimestamp;

  RecordStore(Database records, Database acl, GrantIndex grants, String bucket, String collection,
      long fallbackTimestamp) {
    this.records = records;
    this.acl = acl;
    this.grants = grants;
    this.bucket = bucket;
    this.collection = collection;
    this.aclPrefix = bucket + ":" + collection + ":";
    this.fallbackTimestamp = fallbackTimestamp;
  }

  /**
   * The database of a collection: {@code kinto/BID/CID}, upper-case letters written {@code $} and
   * the lower-case letter, since database names are lower case ({@code kinto/b1/my$tasks} for
   * collection {@code myTasks}).
   */
  static String databaseName(String bucket, String collection) {
    return "kinto/" + escape(bucket) + "/" + escape(collection);
  }

  private static String escape(String id) {
    StringBuilder out = new StringBuilder(id.length() + 4);
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        out.append('$').append((char) (c - 'A' + 'a'));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  @Override
  public String resourceName() {
    return "record";
  }

  Database database() {
    return records;
  }

  static Item item(Document d, Perms perms) {
    ObjectNode json = d.json();
    ObjectNode fields = Json.object();
    ObjectNode attachments = null;
    var it = json.properties().iterator();
    while (it.hasNext()) {
      var e = it.next();
      String key = e.getKey();
      if (key.equals("_attachments") && e.getValue().isObject()) {
        attachments = (ObjectNode) e.getValue();
      } else if (!key.startsWith("_")) {
        fields.set(key, e.getValue());
      }
    }
    return new Item(d.id(), d.timestamp(), d.deleted(), fields, perms, d.rev(), d.seq(), attachments);
  }

  @Override
  public Map<String, Item> items(List<String> ids) {
    Map<String, Document> docs = records.winners(ids);
    Map<String, Perms> perms = perms(ids);
    Map<String, Item> out = new LinkedHashMap<>();
    docs.forEach((id, d) -> out.put(id, item(d, perms.getOrDefault(id, Perms.NONE))));
    return out;
  }

  /** The stored record permissions of these ids (none stored: absent). */
  Map<String, Perms> perms(List<String> ids) {
    List<String> keys = ids.stream().map(id -> aclPrefix + id).toList();
    Map<String, Perms> out = new HashMap<>();
    acl.winners(keys).forEach((key, d) -> {
      if (!d.deleted()) {
        out.put(key.substring(aclPrefix.length()), Perms.fromStored(d.json().get("permissions")));
      }
    });
    return out;
  }

  /**
   * Every record id whose stored permissions grant one of {@code names} to one of {@code
   * principals}: the candidates come from the grant index, each checked against the stored
   * permissions, so the cost follows the records shared with these principals.
   */
  List<String> idsGranting(List<String> names, Set<String> principals) {
    List<String> candidates = new ArrayList<>(grants.records(bucket, collection, principals));
    List<String> out = new ArrayList<>();
    for (int from = 0; from < candidates.size(); from += PAGE) {
      List<String> chunk = candidates.subList(from, Math.min(candidates.size(), from + PAGE));
      Map<String, Perms> stored = perms(chunk);
      for (String id : chunk) {
        Perms p = stored.get(id);
        if (p != null && p.grants(names, principals)) {
          out.add(id);
        }
      }
    }
    return out;
  }

  @Override
  public List<Optional<Item>> write(List<Write> writes) {
    List<DocumentWrite> docs = new ArrayList<>(writes.size());
    for (Write w : writes) {
      ObjectNode doc = Json.object();
      doc.put("_id", w.id());
      w.rev().filter(r -> !r.isEmpty()).ifPresent(r -> doc.put("_rev", r));
      if (w.delete()) {
        doc.put("_deleted", true);
      } else {
        doc.setAll(w.fields());
        if (w.attachments() != null && !w.attachments().isEmpty()) {
          ObjectNode stubs = doc.putObject("_attachments");
          w.attachments().properties().forEach(e -> {
            ObjectNode stub = e.getValue().deepCopy();
            stub.put("stub", true);
            stub.remove("data");
            stubs.set(e.getKey(), stub);
          });
        }
      }
      docs.add(DocumentWrite.of(doc));
    }
    List<WriteOutcome> outcomes = records.bulkDocs(docs, true);
    List<Optional<Item>> out = new ArrayList<>(writes.size());
    List<DocumentWrite> aclWrites = new ArrayList<>();
    for (int i = 0; i < writes.size(); i++) {
      Write w = writes.get(i);
      WriteOutcome outcome = outcomes.get(i);
      if (outcome instanceof WriteOutcome.Failed failed) {
        if (failed.error() == EngineError.DOCUMENT_CONFLICT) {
          out.add(Optional.empty());
          continue;
        }
        throw failed.toException();
      }
      WriteOutcome.Ok ok = (WriteOutcome.Ok) outcome;
      ObjectNode fields = w.delete() ? Json.object() : w.fields();
      out.add(Optional.of(new Item(w.id(), ok.timestamp(), w.delete(), fields, w.perms(), ok.rev(), ok.seq(),
          w.attachments())));
    }
    // Permissions follow their records; kept after a delete so readers get the tombstone.
    for (int i = 0; i < writes.size(); i++) {
      Write w = writes.get(i);
      if (out.get(i).isEmpty()) {
        continue;
      }
      Perms before = w.storedPerms();
      if (!before.equals(w.perms()) && !(w.delete() && w.perms().isEmpty())) {
        ObjectNode doc = Json.object();
        doc.put("_id", aclPrefix + w.id());
        doc.set("permissions", w.perms().toJson());
        aclWrites.add(DocumentWrite.of(doc));
      }
    }
    if (!aclWrites.isEmpty()) {
      writeAcl(aclWrites);
    }
    return out;
  }

  /** Last writer wins on permissions: each is written over whatever revision is current. */
  private void writeAcl(List<DocumentWrite> writes) {
    for (int attempt = 0; attempt < 5; attempt++) {
      List<String> keys = writes.stream().map(w -> w.doc().get("_id").asText()).toList();
      Map<String, Document> current = acl.winners(keys);
      for (DocumentWrite w : writes) {
        Document d = current.get(w.doc().get("_id").asText());
        if (d != null) {
          w.doc().put("_rev", d.rev());
        } else {
          w.doc().remove("_rev");
        }
      }
      List<WriteOutcome> outcomes = acl.bulkDocs(writes, true);
      List<DocumentWrite> retry = new ArrayList<>();
      for (int i = 0; i < writes.size(); i++) {
        if (outcomes.get(i) instanceof WriteOutcome.Failed f) {
          if (f.error() != EngineError.DOCUMENT_CONFLICT) {
            throw f.toException();
          }
          retry.add(writes.get(i));
        }
      }
      if (retry.isEmpty()) {
        return;
      }
      writes = retry;
    }
  }

  /** Removes the permissions of every record of the collection (the collection is gone). */
  void dropPerms() {
    List<String> ids = GrantIndex.idsUnder(acl, aclPrefix);
    if (ids.isEmpty()) {
      return;
    }
    List<DocumentWrite> deletes = new ArrayList<>();
    Map<String, Set<String>> entries = new HashMap<>();
    acl.winners(ids.stream().map(id -> aclPrefix + id).toList()).forEach((key, d) -> {
      if (!d.deleted()) {
        entries.put(key.substring(aclPrefix.length()), GrantIndex.principals(Perms.fromStored(d.json().get("permissions"))));
        ObjectNode doc = Json.object();
        doc.put("_id", key);
        doc.put("_rev", d.rev());
        doc.put("_deleted", true);
        deletes.add(DocumentWrite.of(doc));
      }
    });
    acl.bulkDocs(deletes, true);
    grants.remove(bucket, collection, entries);
  }

  @Override
  public List<Item> page(ListQuery query, Optional<Query.Filter> visible, Optional<Query.Cursor> after, int size) {
    ListQuery q = visible.map(query::withFilter).orElse(query);
    if (query.residual().isEmpty()) {
      return records.query(q.query(size, after)).documents().stream().map(d -> item(d, Perms.NONE)).toList();
    }
    List<Item> out = new ArrayList<>();
    Optional<Query.Cursor> from = after;
    while (true) {
      var result = records.query(q.query(1000, from));
      for (Document d : result.documents()) {
        Item item = item(d, Perms.NONE);
        if (query.matchesResidual(item.toJson())) {
          out.add(item);
          if (out.size() == size) {
            return out;
          }
        }
      }
      if (result.next().isEmpty()) {
        return out;
      }
      from = result.next();
    }
  }

  /** The newest write timestamp among these records, tombstones included; 0 for none. */
  long newest(List<String> ids) {
    if (ids.isEmpty()) {
      return 0;
    }
    List<JsonValue> values = ids.stream().map(id -> (JsonValue) new JsonValue.JsonString(id)).toList();
    Query newest = new Query(new Query.Filter.In(Query.Field.id(), values),
        List.of(new Query.SortKey(Query.Field.timestamp(), true)), Optional.empty(), 1, true);
    return records.query(newest).documents().stream().mapToLong(Document::timestamp).findFirst().orElse(0L);
  }

  @Override
  public long listTimestamp() {
    long ts = records.info().lastTimestamp();
    return ts == 0 ? fallbackTimestamp : ts;
  }
}
