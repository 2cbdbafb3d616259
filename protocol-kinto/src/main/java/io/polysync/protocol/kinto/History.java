package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.AllDocsOptions;
import io.polysync.engine.AllDocsResult;
import io.polysync.engine.Database;
import io.polysync.engine.DocumentWrite;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Kinto's history plugin, when {@code kinto.history} is on: every write through the Kinto API
 * adds an entry {@code {action, uri, resource_name, bucket_id, collection_id?, group_id?,
 * record_id?, user_id, timestamp, date, target:{data, permissions}}} to the system database
 * {@value #DATABASE}, under {@code BID:<timestamp>:<random>} so a bucket's entries are one id
 * range. Entries older than {@code kinto.history.max_age_days} are pruned as new ones arrive.
 * Writes made through the CouchDB API do not appear (they have no Kinto author or action).
 */
final class History {
  static final String DATABASE = "_kinto_history";
  private static final long PRUNE_EVERY = 1000;

  private final Database db;
  private final long maxAgeMillis;
  private final AtomicLong written = new AtomicLong();

  History(Database db, long maxAgeDays) {
    this.db = db;
    this.maxAgeMillis = maxAgeDays <= 0 ? Long.MAX_VALUE : maxAgeDays * 24L * 3600 * 1000;
  }

  /** One entry per written object of {@code t}'s list. */
  void record(KintoApi.Target plural, Caller caller, List<Item> items, List<String> actions) {
    List<DocumentWrite> docs = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      Item item = items.get(i);
      KintoApi.Target t = new KintoApi.Target(plural.level(), plural.bucket(), plural.collection(), item.id());
      String bucket = t.level() == KintoApi.Level.BUCKET ? item.id() : t.bucket();
      ObjectNode doc = Json.object();
      doc.put("_id", bucket + ":" + String.format("%015d", item.lastModified()) + ":"
          + UUID.randomUUID().toString().substring(0, 8));
      doc.put("action", actions.get(i));
      doc.put("uri", t.uri());
      doc.put("resource_name", t.resourceName());
      doc.put("bucket_id", bucket);
      switch (t.level()) {
        case COLLECTION -> doc.put("collection_id", item.id());
        case GROUP -> doc.put("group_id", item.id());
        case RECORD -> {
          doc.put("collection_id", t.collection());
          doc.put("record_id", item.id());
        }
        default -> { }
      }
      doc.put("user_id", caller.userId().orElse("system.Everyone"));
      doc.put("timestamp", item.lastModified());
      doc.put("date", Instant.ofEpochMilli(item.lastModified()).toString());
      ObjectNode target = doc.putObject("target");
      target.set("data", item.toJson());
      target.set("permissions", item.perms().toJson());
      docs.add(DocumentWrite.of(doc));
    }
    if (!docs.isEmpty()) {
      db.bulkDocs(docs, true);
      if (written.addAndGet(docs.size()) % PRUNE_EVERY < docs.size() && maxAgeMillis != Long.MAX_VALUE) {
        prune(System.currentTimeMillis() - maxAgeMillis);
      }
    }
  }

  /** The entries of a bucket, as list items ({@code last_modified} is the entry's own write time). */
  List<Item> entries(String bucket) {
    List<Item> out = new ArrayList<>();
    String from = bucket + ":";
    while (true) {
      AllDocsResult page = db.allDocs(AllDocsOptions.defaults().withRange(from, bucket + ":" + Character.MAX_VALUE)
          .withIncludeDocs(true).withLimit(1000));
      for (AllDocsResult.Row row : page.rows()) {
        ObjectNode doc = row.doc().orElseGet(Json::object);
        ObjectNode fields = Json.object();
        doc.properties().forEach(e -> {
          if (!e.getKey().startsWith("_")) {
            fields.set(e.getKey(), e.getValue());
          }
        });
        String id = row.id().substring(row.id().lastIndexOf(':') + 1);
        out.add(new Item(id, fields.path("timestamp").asLong(), false, fields, Perms.NONE, row.rev().orElse(""), 0));
        from = row.id() + Character.MIN_VALUE;
      }
      if (page.rows().size() < 1000) {
        return out;
      }
    }
  }

  /** Removes a bucket's entries (the plugin's {@code DELETE /buckets/{bid}/history}). */
  int purge(String bucket) {
    return deleteWhere(bucket + ":", bucket + ":" + Character.MAX_VALUE, Long.MAX_VALUE);
  }

  private void prune(long before) {
    deleteWhere("", String.valueOf(Character.MAX_VALUE), before);
  }

  private int deleteWhere(String start, String end, long before) {
    int count = 0;
    String from = start;
    while (true) {
      AllDocsResult page = db.allDocs(AllDocsOptions.defaults().withRange(from, end).withIncludeDocs(true)
          .withLimit(1000));
      List<DocumentWrite> deletes = new ArrayList<>();
      for (AllDocsResult.Row row : page.rows()) {
        from = row.id() + Character.MIN_VALUE;
        JsonNode doc = row.doc().orElse(null);
        if (doc != null && doc.path("timestamp").asLong() < before) {
          ObjectNode del = Json.object();
          del.put("_id", row.id());
          del.put("_rev", row.rev().orElse(""));
          del.put("_deleted", true);
          deletes.add(DocumentWrite.of(del));
        }
      }
      if (!deletes.isEmpty()) {
        db.bulkDocs(deletes, true);
        count += deletes.size();
      }
      if (page.rows().size() < 1000) {
        return count;
      }
    }
  }
}
