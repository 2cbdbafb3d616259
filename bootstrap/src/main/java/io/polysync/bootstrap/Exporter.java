package io.polysync.bootstrap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.ChangesOptions;
import io.polysync.engine.ChangesResult;
import io.polysync.engine.Database;
import io.polysync.engine.DatabaseInfo;
import io.polysync.engine.OpenRevResult;
import io.polysync.engine.ReadOptions;
import io.polysync.engine.SyncEngine;
import io.polysync.spi.Capability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Writes namespaces in the {@link Backup} format. Documents are read by following each
 * namespace's changes feed from 0, so a document written while the export runs appears again at
 * its new sequence (the import merges both) and none is missed.
 */
final class Exporter {
  static final int PAGE = 200;
  private static final String LOCAL_PREFIX = "_local/";

  private final SyncEngine engine;
  private final Writer out;

  /** What was written. */
  record Summary(int namespaces, long docs, long leaves, long attachments, long locals) {}

  Exporter(SyncEngine engine, Writer out) {
    this.engine = engine;
    this.out = out;
  }

  Summary export(List<String> names, String source, CliIo io, long progressEvery) {
    long total = 0;
    for (String name : names) {
      if (!engine.databaseExists(name)) {
        throw new CliException("no namespace named " + name);
      }
      DatabaseInfo info = engine.database(name).info();
      total += info.docCount() + info.docDelCount();
    }
    ObjectNode header = Backup.JSON.createObjectNode()
        .put("format", Backup.FORMAT)
        .put("version", Backup.VERSION)
        .put("created", Instant.now().toString())
        .put("source", source);
    names.forEach(header.putArray("namespaces")::add);
    write(header);
    boolean listing = engine.capabilities().has(Capability.LOCAL_LISTING);
    if (!listing) {
      io.err().println("Note: this storage adapter cannot list local documents; they are left out (replication"
          + " checkpoints: clients then replicate once more from the start and find nothing to copy).");
    }
    long docs = 0;
    long leaves = 0;
    long attachments = 0;
    long locals = 0;
    try (Progress progress = Progress.start(io, "export", total, progressEvery)) {
      for (String name : names) {
        Database db = engine.database(name);
        DatabaseInfo info = db.info();
        ObjectNode ns = Backup.JSON.createObjectNode()
            .put("type", "namespace")
            .put("name", name)
            .put("revs_limit", db.revsLimit());
        if (db.hasSecurity()) {
          ns.set("security", db.security().toJson());
        } else {
          ns.putNull("security");
        }
        ObjectNode metadata = ns.putObject("metadata");
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(info.metadata()).entrySet()) {
          // The engine's own entries (data keys, the security object, revs_limit) belong to this
          // storage and its keys; the security object and revs_limit travel above.
          if (!e.getKey().startsWith("engine.")) {
            metadata.put(e.getKey(), e.getValue());
          }
        }
        ns.put("doc_count", info.docCount()).put("doc_del_count", info.docDelCount())
            .put("update_seq", info.updateSeq());
        write(ns);
        long nsDocs = 0;
        long since = 0;
        while (true) {
          ChangesResult page = db.changes(ChangesOptions.since(since).withLimit(PAGE));
          for (ChangesResult.Row row : page.results()) {
            ObjectNode line = Backup.JSON.createObjectNode().put("type", "doc").put("id", row.id());
            ArrayNode array = line.putArray("leaves");
            for (OpenRevResult r : db.openAllRevs(row.id(), ReadOptions.defaults().withRevs(true)
                .withAttachments(true))) {
              switch (r) {
                case OpenRevResult.Found found -> {
                  array.add(found.document().json());
                  attachments += found.document().json().path("_attachments").size();
                }
                case OpenRevResult.Missing missing -> throw new CliException("namespace " + name + " document "
                    + row.id() + ": the leaf " + missing.rev() + " has no body; run polysync check");
                case OpenRevResult.Failed failed -> throw new CliException("namespace " + name + " document "
                    + row.id() + ": " + failed.reason());
              }
            }
            leaves += array.size();
            write(line);
            nsDocs++;
            progress.step();
          }
          if (page.results().isEmpty() || page.lastSeq() <= since) {
            break;
          }
          since = page.lastSeq();
        }
        long nsLocals = 0;
        String after = "";
        while (listing) {
          List<ObjectNode> page = db.localDocs(after, PAGE);
          for (ObjectNode local : page) {
            String id = local.get("_id").textValue().substring(LOCAL_PREFIX.length());
            ObjectNode body = local.deepCopy();
            body.remove(List.of("_id", "_rev"));
            ObjectNode line = Backup.JSON.createObjectNode().put("type", "local").put("id", id);
            line.set("body", body);
            write(line);
            nsLocals++;
            after = id;
          }
          if (page.size() < PAGE) {
            break;
          }
        }
        write(Backup.JSON.createObjectNode().put("type", "end").put("name", name).put("docs", nsDocs)
            .put("locals", nsLocals));
        docs += nsDocs;
        locals += nsLocals;
      }
    }
    write(Backup.JSON.createObjectNode().put("type", "footer").put("namespaces", names.size()));
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the backup: " + e.getMessage(), e);
    }
    return new Summary(names.size(), docs, leaves, attachments, locals);
  }

  private void write(ObjectNode line) {
    try {
      out.write(Backup.JSON.writeValueAsString(line));
      out.write('\n');
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the backup: " + e.getMessage(), e);
    }
  }
}
