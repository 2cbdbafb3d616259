package io.polysync.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.Database;
import io.polysync.engine.DatabaseInfo;
import io.polysync.engine.DocumentWrite;
import io.polysync.engine.SecurityObject;
import io.polysync.engine.SyncEngine;
import io.polysync.engine.WriteOutcome;
import io.polysync.spi.SyncException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reads a {@link Backup} in two passes: the first checks every line (JSON, fields, revision
 * paths, attachment data against its digest, the counts) and writes nothing, so a damaged file
 * changes nothing; the second writes with {@code new_edits=false}, which rebuilds each document's
 * revision tree from its leaves. A write that fails in the second pass drops the namespaces this
 * import created.
 */
final class Importer {
  static final int BATCH = 100;

  private final SyncEngine engine;

  /** One namespace of the file. */
  record Plan(String name, int revsLimit, Optional<SecurityObject> security, Map<String, String> metadata,
      long docs, long locals) {}

  /** What was written. */
  record Summary(List<String> namespaces, long docs, long leaves, long locals) {}

  Importer(SyncEngine engine) {
    this.engine = engine;
  }

  /** The first pass: every line checked; the namespaces with their counts. */
  static List<Plan> validate(BufferedReader in) throws IOException {
    List<Plan> plans = new ArrayList<>();
    long number = 0;
    String line;
    Plan open = null;
    long docs = 0;
    long locals = 0;
    boolean footer = false;
    List<String> announced = List.of();
    while ((line = in.readLine()) != null) {
      number++;
      try {
        if (footer) {
          throw new Backup.BadLine("a line after the footer");
        }
        ObjectNode node = Backup.parse(line);
        if (number == 1) {
          if (!Backup.FORMAT.equals(node.path("format").asText(null))) {
            throw new Backup.BadLine("not a Polysync backup (no \"format\":\"" + Backup.FORMAT + "\" header)");
          }
          if (Backup.number(node, "version") != Backup.VERSION) {
            throw new Backup.BadLine("backup format version " + node.get("version") + "; this Polysync reads version "
                + Backup.VERSION);
          }
          List<String> names = new ArrayList<>();
          node.path("namespaces").forEach(n -> names.add(n.asText()));
          announced = names;
          continue;
        }
        String type = Backup.text(node, "type");
        switch (type) {
          case "namespace" -> {
            if (open != null) {
              throw new Backup.BadLine("namespace " + open.name() + " has no end line");
            }
            String name = Backup.text(node, "name");
            if (!Backup.DATABASE_NAME.matcher(name).matches() || Backup.NOT_EXPORTED.contains(name)) {
              throw new Backup.BadLine("bad namespace name " + name);
            }
            if (plans.stream().anyMatch(p -> p.name().equals(name))) {
              throw new Backup.BadLine("namespace " + name + " appears twice");
            }
            long revsLimit = Backup.number(node, "revs_limit");
            if (revsLimit < 1 || revsLimit > Integer.MAX_VALUE) {
              throw new Backup.BadLine("revs_limit " + revsLimit + " is out of range");
            }
            Optional<SecurityObject> security = Optional.empty();
            JsonNode sec = node.get("security");
            if (sec != null && !sec.isNull()) {
              try {
                security = Optional.of(SecurityObject.fromJson(sec));
              } catch (SyncException e) {
                throw new Backup.BadLine("namespace " + name + ": bad security object: " + e.getMessage());
              }
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            JsonNode meta = node.get("metadata");
            if (meta != null && !meta.isNull()) {
              if (!meta.isObject()) {
                throw new Backup.BadLine("namespace " + name + ": metadata is not an object");
              }
              for (var e : meta.properties()) {
                if (!e.getValue().isTextual() || e.getKey().startsWith("engine.")) {
                  throw new Backup.BadLine("namespace " + name + ": bad metadata entry " + e.getKey());
                }
                metadata.put(e.getKey(), e.getValue().textValue());
              }
            }
            open = new Plan(name, (int) revsLimit, security, metadata, 0, 0);
            docs = 0;
            locals = 0;
          }
          case "doc" -> {
            requireOpen(open, type);
            Backup.checkDocument(node);
            docs++;
          }
          case "local" -> {
            requireOpen(open, type);
            String id = Backup.text(node, "id");
            if (id.startsWith("_local/")) {
              throw new Backup.BadLine("local document id " + id + " carries the _local/ prefix");
            }
            if (!node.path("body").isObject()) {
              throw new Backup.BadLine("local document " + id + ": body is missing or not an object");
            }
            locals++;
          }
          case "end" -> {
            requireOpen(open, type);
            if (!Backup.text(node, "name").equals(open.name())) {
              throw new Backup.BadLine("the end line names " + node.get("name") + ", not " + open.name());
            }
            if (Backup.number(node, "docs") != docs || Backup.number(node, "locals") != locals) {
              throw new Backup.BadLine("namespace " + open.name() + " should hold " + node.get("docs") + " documents and "
                  + node.get("locals") + " local documents; the file has " + docs + " and " + locals);
            }
            plans.add(new Plan(open.name(), open.revsLimit(), open.security(), open.metadata(), docs, locals));
            open = null;
          }
          case "footer" -> {
            if (open != null) {
              throw new Backup.BadLine("namespace " + open.name() + " has no end line");
            }
            if (Backup.number(node, "namespaces") != plans.size()) {
              throw new Backup.BadLine("the footer counts " + node.get("namespaces") + " namespaces; the file has "
                  + plans.size());
            }
            footer = true;
          }
          default -> throw new Backup.BadLine("unknown line type " + type);
        }
      } catch (Backup.BadLine e) {
        throw new CliException("line " + number + ": " + e.getMessage() + "; nothing was imported");
      }
    }
    if (number == 0) {
      throw new CliException("the file is empty; nothing was imported");
    }
    if (!footer) {
      throw new CliException("the file ends at line " + number + " without its footer line (cut short?); nothing was"
          + " imported");
    }
    if (!announced.equals(plans.stream().map(Plan::name).toList())) {
      throw new CliException("line 1: the header lists " + announced + ", the file holds "
          + plans.stream().map(Plan::name).toList() + "; nothing was imported");
    }
    return plans;
  }

  private static void requireOpen(Plan open, String type) throws Backup.BadLine {
    if (open == null) {
      throw new Backup.BadLine("a " + type + " line outside a namespace");
    }
  }

  /**
   * The second pass: creates or fills each target, then writes every line. {@code into} renames the
   * one namespace of the file.
   */
  Summary write(Supplier<BufferedReader> file, List<Plan> plans, Optional<String> into, boolean merge, CliIo io,
      long progressEvery) throws IOException {
    if (into.isPresent() && plans.size() != 1) {
      throw CliException.usage("--into needs a backup of one namespace; this one holds " + plans.size());
    }
    Map<String, String> targets = new LinkedHashMap<>();
    for (Plan plan : plans) {
      String target = into.orElse(plan.name());
      if (!Backup.DATABASE_NAME.matcher(target).matches() || Backup.NOT_EXPORTED.contains(target)) {
        throw CliException.usage("cannot import into " + target + ": not a namespace name a backup may fill");
      }
      targets.put(plan.name(), target);
      if (engine.databaseExists(target)) {
        DatabaseInfo info = engine.database(target).info();
        if (info.docCount() + info.docDelCount() > 0 && !merge) {
          throw new CliException("namespace " + target + " holds " + (info.docCount() + info.docDelCount())
              + " documents; import refuses to mix a backup into it without --merge (nothing was imported)");
        }
      }
    }
    List<String> created = new ArrayList<>();
    long total = plans.stream().mapToLong(Plan::docs).sum();
    long docs = 0;
    long leaves = 0;
    long locals = 0;
    try (Progress progress = Progress.start(io, "import", total, progressEvery);
        BufferedReader in = file.get()) {
      String line;
      Database db = null;
      List<DocumentWrite> batch = new ArrayList<>();
      long number = 0;
      while ((line = in.readLine()) != null) {
        number++;
        if (number == 1) {
          continue;
        }
        ObjectNode node = (ObjectNode) Backup.JSON.readTree(line);
        switch (node.get("type").textValue()) {
          case "namespace" -> {
            Plan plan = plans.stream().filter(p -> p.name().equals(node.get("name").textValue())).findFirst()
                .orElseThrow();
            String target = targets.get(plan.name());
            db = open(target, plan, merge, created);
          }
          case "doc" -> {
            for (JsonNode leaf : node.get("leaves")) {
              batch.add(DocumentWrite.of((ObjectNode) leaf));
              leaves++;
            }
            docs++;
            progress.step();
            if (batch.size() >= BATCH) {
              flush(db, batch, number);
            }
          }
          case "local" -> {
            flush(db, batch, number);
            String id = node.get("id").textValue();
            ObjectNode body = (ObjectNode) node.get("body");
            db.getLocal(id).ifPresent(existing -> body.put("_rev", existing.get("_rev").textValue()));
            db.putLocal(id, body);
            locals++;
          }
          case "end" -> flush(db, batch, number);
          default -> {
            // footer: checked in the first pass
          }
        }
      }
    } catch (RuntimeException | IOException e) {
      for (String name : created) {
        try {
          engine.deleteDatabase(name);
        } catch (RuntimeException dropFailed) {
          e.addSuppressed(dropFailed);
        }
      }
      String dropped = created.isEmpty() ? "" : "; dropped the namespaces this import created: " + created;
      if (e instanceof CliException ce) {
        throw new CliException(ce.getMessage() + dropped, ce.exitCode());
      }
      if (e instanceof SyncException se) {
        throw new CliException(se.getMessage() + dropped);
      }
      throw e;
    }
    return new Summary(List.copyOf(targets.values()), docs, leaves, locals);
  }

  private Database open(String target, Plan plan, boolean merge, List<String> created) {
    Database db;
    if (!engine.databaseExists(target)) {
      db = target.startsWith("_") ? engine.systemDatabase(target) : engine.createDatabase(target);
      created.add(target);
    } else {
      db = engine.database(target);
      if (merge) {
        // Mixing a backup into a namespace in use keeps its access rules and revision depth.
        return db;
      }
    }
    db.setRevsLimit(plan.revsLimit());
    if (plan.security().isPresent()) {
      db.setSecurity(plan.security().get());
    }
    plan.metadata().forEach(db::setMetadata);
    return db;
  }

  private static void flush(Database db, List<DocumentWrite> batch, long lineNumber) {
    if (batch.isEmpty()) {
      return;
    }
    List<WriteOutcome> outcomes = db.bulkDocs(batch, false);
    batch.clear();
    for (WriteOutcome outcome : outcomes) {
      if (outcome instanceof WriteOutcome.Failed failed) {
        throw new CliException("document " + failed.id() + " (before line " + (lineNumber + 1) + "): "
            + failed.reason());
      }
    }
  }
}
