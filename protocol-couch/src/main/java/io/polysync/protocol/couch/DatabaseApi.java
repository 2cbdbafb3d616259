package io.polysync.protocol.couch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.polysync.engine.AllDocsOptions;
import io.polysync.engine.AllDocsResult;
import io.polysync.engine.BulkGetRequest;
import io.polysync.engine.BulkGetResult;
import io.polysync.engine.Database;
import io.polysync.engine.DatabaseInfo;
import io.polysync.engine.DocumentWrite;
import io.polysync.engine.EngineError;
import io.polysync.engine.OpenRevResult;
import io.polysync.engine.Permission;
import io.polysync.engine.ReadOptions;
import io.polysync.engine.RevsDiff;
import io.polysync.engine.SecurityObject;
import io.polysync.engine.SyncEngine;
import io.polysync.engine.UserContext;
import io.polysync.engine.WriteOutcome;
import io.polysync.protocol.spi.FrontEndMetrics;
import io.polysync.spi.SyncException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Database-level endpoints: info, create, delete, and the {@code /{db}/_x} ones. */
final class DatabaseApi {
  private final SyncEngine engine;
  private final DocumentApi documents;
  private final long maxDocumentBytes;

  DatabaseApi(SyncEngine engine, DocumentApi documents, long maxDocumentBytes) {
    this.engine = engine;
    this.documents = documents;
    this.maxDocumentBytes = maxDocumentBytes;
  }

  void database(Exchange ex, String name, UserContext user) {
    switch (ex.method) {
      case "GET" -> ex.send(200, info(engine.database(name).forUser(user).info(), name));
      case "HEAD" -> {
        if (!engine.databaseExists(name)) {
          throw CouchException.notFound("Database does not exist.");
        }
        ex.res.header(HeaderNames.CONTENT_TYPE, Exchange.JSON_TYPE);
        ex.res.status(200);
        ex.sendEmpty();
      }
      case "PUT" -> {
        engine.createDatabase(name);
        ex.res.header(HeaderNames.LOCATION, "/" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8));
        ex.sendOk(201);
      }
      case "DELETE" -> {
        if (ex.param("rev").isPresent()) {
          // CouchDB's guard against a DELETE meant for a document with a forgotten id.
          throw CouchException.badRequest(
              "You tried to DELETE a database with a ?rev= parameter. Did you mean to DELETE a document instead?");
        }
        engine.deleteDatabase(name);
        ex.sendOk(200);
      }
      case "POST" -> documents.post(ex, engine.database(name), user);
      default -> CouchRouter.requireMethod(ex, "GET", "HEAD", "PUT", "DELETE", "POST");
    }
  }

  static ObjectNode info(DatabaseInfo info, String name) {
    ObjectNode body = Exchange.object();
    body.put("db_name", name);
    body.put("purge_seq", 0);
    body.put("update_seq", info.updateSeq());
    ObjectNode sizes = body.putObject("sizes");
    sizes.put("active", 0).put("external", 0).put("file", 0);
    body.putObject("props");
    body.put("doc_del_count", info.docDelCount());
    body.put("doc_count", info.docCount());
    body.put("disk_format_version", 8);
    body.put("compact_running", false);
    body.putObject("cluster").put("q", 1).put("n", 1).put("w", 1).put("r", 1);
    // Must never change: CouchDB's replicator compares it with _ensure_full_commit's answer.
    body.put("instance_start_time", "0");
    return body;
  }

  void special(Exchange ex, Database db, String name, UserContext user) {
    switch (name) {
      case "_all_docs" -> {
        CouchRouter.requireMethod(ex, "GET", "HEAD", "POST");
        allDocs(ex, db);
      }
      case "_bulk_docs" -> {
        CouchRouter.requireMethod(ex, "POST");
        bulkDocs(ex, db, user);
      }
      case "_bulk_get" -> {
        CouchRouter.requireMethod(ex, "POST");
        bulkGet(ex, db);
      }
      case "_revs_diff" -> {
        CouchRouter.requireMethod(ex, "POST");
        revsDiff(ex, db);
      }
      case "_ensure_full_commit" -> {
        CouchRouter.requireMethod(ex, "POST");
        db.info();
        // Every acknowledged write is already durable: there is nothing to flush.
        ex.send(201, Exchange.object().put("ok", true).put("instance_start_time", "0"));
      }
      case "_revs_limit" -> revsLimit(ex, db);
      case "_security" -> security(ex, db);
      case "_compact", "_view_cleanup" -> {
        CouchRouter.requireMethod(ex, "POST");
        db.info();
        ex.sendOk(202);
      }
      case "_find", "_explain", "_index" -> throw CouchException.notImplemented(
          "Mango queries (" + name + ") are not supported by this server; `_changes` takes a `_selector` filter.");
      case "_purge", "_purged_infos_limit" -> throw CouchException.notImplemented(
          "Purging (" + name + ") is not supported by this server; delete the document instead.");
      case "_design_docs", "_local_docs" -> throw CouchException.notImplemented(
          name + " is not supported by this server.");
      default -> {
        if (ex.method.equals("GET") || ex.method.equals("HEAD")) {
          throw CouchException.notFound("missing");
        }
        throw CouchException.badRequest("Only reserved document ids may start with underscore.");
      }
    }
  }

  private void revsLimit(Exchange ex, Database db) {
    switch (ex.method) {
      case "GET" -> ex.send(200, Exchange.JSON.getNodeFactory().numberNode(db.revsLimit()));
      case "PUT" -> {
        JsonNode body = ex.jsonBody();
        if (!body.canConvertToInt() || !body.isIntegralNumber() || body.asInt() < 1) {
          throw CouchException.badRequest("`revs_limit` must be a positive integer.");
        }
        db.setRevsLimit(body.asInt());
        ex.sendOk(200);
      }
      default -> CouchRouter.requireMethod(ex, "GET", "PUT");
    }
  }

  private void security(Exchange ex, Database db) {
    switch (ex.method) {
      case "GET" -> {
        db.info();
        ex.send(200, db.hasSecurity() ? db.security().toJson() : Exchange.object());
      }
      case "PUT" -> {
        db.setSecurity(SecurityObject.fromJson(ex.jsonObjectBody()));
        ex.sendOk(200);
      }
      default -> CouchRouter.requireMethod(ex, "GET", "PUT");
    }
  }

  private static boolean allText(JsonNode array) {
    for (JsonNode n : array) {
      if (!n.isTextual()) {
        return false;
      }
    }
    return true;
  }

  // --- _all_docs ---

  private void allDocs(Exchange ex, Database db) {
    AllDocsOptions options = AllDocsOptions.defaults()
        .withLimit(ex.intParam("limit", Integer.MAX_VALUE))
        .withSkip(ex.intParam("skip", 0))
        .withDescending(ex.flag("descending"))
        .withIncludeDocs(ex.flag("include_docs"))
        .withConflicts(ex.flag("conflicts"))
        .withAttachments(ex.flag("attachments"));
    if (ex.param("inclusive_end").isPresent()) {
      options = options.withInclusiveEnd(ex.flag("inclusive_end"));
    }
    Optional<JsonNode> key = ex.jsonParam("key");
    Optional<String> start = textKey(ex, "startkey").or(() -> textKey(ex, "start_key"));
    Optional<String> end = textKey(ex, "endkey").or(() -> textKey(ex, "end_key"));
    if (start.isPresent() || end.isPresent()) {
      options = options.withRange(start.orElse(null), end.orElse(null));
    }
    if (key.isPresent()) {
      options = options.withKey(asKey(key.get(), "key"));
    }
    Optional<JsonNode> keys = ex.jsonParam("keys");
    if (ex.method.equals("POST")) {
      ObjectNode body = ex.jsonObjectBody();
      if (body.has("keys")) {
        keys = Optional.of(body.get("keys"));
      }
    }
    if (keys.isPresent()) {
      if (!keys.get().isArray()) {
        throw CouchException.badRequest("`keys` member must be an array.");
      }
      List<String> ids = new ArrayList<>();
      for (JsonNode k : keys.get()) {
        ids.add(asKey(k, "keys"));
      }
      options = options.withKeys(ids);
    }
    AllDocsResult result = db.allDocs(options);
    ex.metrics.documentsOut(FrontEndMetrics.VIA_LIST, result.rows().size());
    ObjectNode body = Exchange.object();
    body.put("total_rows", result.totalRows());
    body.put("offset", result.offset());
    ArrayNode rows = body.putArray("rows");
    for (AllDocsResult.Row row : result.rows()) {
      ObjectNode r = rows.addObject();
      if (row.error().isPresent()) {
        r.put("key", row.id());
        r.put("error", row.error().get());
        continue;
      }
      r.put("id", row.id());
      r.put("key", row.id());
      ObjectNode value = r.putObject("value");
      row.rev().ifPresent(rev -> value.put("rev", rev));
      if (row.deleted()) {
        value.put("deleted", true);
      }
      if (options.includeDocs()) {
        if (row.doc().isPresent()) {
          r.set("doc", Docs.forJson(row.doc().get()));
        } else {
          r.putNull("doc");
        }
      }
    }
    if (ex.flag("update_seq")) {
      body.put("update_seq", result.updateSeq());
    }
    ex.send(200, body);
  }

  private static Optional<String> textKey(Exchange ex, String name) {
    return ex.jsonParam(name).map(n -> asKey(n, name));
  }

  private static String asKey(JsonNode node, String name) {
    if (!node.isTextual()) {
      // Document ids are strings; any other key sorts outside every id in CouchDB's collation.
      throw CouchException.badRequest("Invalid `" + name + "`: document ids are strings");
    }
    return node.textValue();
  }

  // --- _bulk_docs ---

  private void bulkDocs(Exchange ex, Database db, UserContext user) {
    ex.requireJsonContentType();
    byte[] raw = ex.body();
    JsonNode body = ex.parseJson(raw);
    if (!body.isObject()) {
      throw CouchException.badRequest("Request body must be a JSON object");
    }
    JsonNode docsNode = body.get("docs");
    if (docsNode == null || !docsNode.isArray()) {
      throw CouchException.badRequest("POST body must include `docs` parameter.");
    }
    boolean newEdits = true;
    if (body.has("new_edits")) {
      if (!body.get("new_edits").isBoolean()) {
        throw CouchException.badRequest("`new_edits` parameter must be a boolean.");
      }
      newEdits = body.get("new_edits").booleanValue();
    }
    List<DocumentWrite> writes = new ArrayList<>();
    // Design documents a caller may not write get a per-document 403 (PouchDB: "denied"), in place.
    Map<Integer, String> forbidden = new java.util.TreeMap<>();
    Boolean designAllowed = null;
    for (JsonNode doc : docsNode) {
      if (!doc.isObject()) {
        throw CouchException.badRequest("Document must be a JSON object");
      }
      if (!newEdits && !doc.has("_rev") && !doc.has("_revisions")) {
        throw CouchException.badRequest(
            "When `new_edits: false`, the document needs `_rev` or `_revisions` specified");
      }
      ObjectNode o = (ObjectNode) doc;
      if (newEdits && !o.has("_id")) {
        o.put("_id", CouchRouter.newUuid());
      }
      if (o.path("_id").asText().startsWith(DocumentApi.DESIGN_PREFIX)) {
        if (designAllowed == null) {
          designAllowed = db.allows(user, Permission.ADMIN);
        }
        if (!designAllowed) {
          forbidden.put(writes.size() + forbidden.size(), o.path("_id").asText());
          continue;
        }
      }
      writes.add(DocumentWrite.of(o));
    }
    if (raw.length > maxDocumentBytes) {
      for (DocumentWrite w : writes) {
        Docs.checkSize(w.doc(), maxDocumentBytes);
      }
    }
    List<WriteOutcome> outcomes = writes.isEmpty() ? List.of() : db.bulkDocs(writes, newEdits);
    ArrayNode out = Exchange.array();
    int written = 0;
    for (int i = 0; i < outcomes.size() + forbidden.size(); i++) {
      String deniedId = forbidden.get(i);
      if (deniedId != null) {
        out.addObject().put("id", deniedId).put("error", "forbidden").put("reason", DocumentApi.DESIGN_FORBIDDEN);
        continue;
      }
      WriteOutcome outcome = outcomes.get(written++);
      switch (outcome) {
        case WriteOutcome.Ok ok -> {
          ex.metrics.documentsIn(1);
          if (newEdits) {
            out.addObject().put("ok", true).put("id", ok.id()).put("rev", ok.rev());
          }
        }
        case WriteOutcome.Failed failed -> {
          CouchErrors.Mapping m = CouchErrors.of(failed.error(), failed.reason());
          ObjectNode item = out.addObject().put("id", failed.id());
          failed.rev().ifPresent(rev -> item.put("rev", rev));
          item.put("error", m.error()).put("reason", m.reason());
        }
      }
    }
    ex.send(201, out);
  }

  // --- _bulk_get ---

  private void bulkGet(Exchange ex, Database db) {
    ObjectNode body = ex.jsonObjectBody();
    JsonNode docs = body.get("docs");
    if (docs == null || !docs.isArray()) {
      throw CouchException.badRequest("Missing JSON list of 'docs'.");
    }
    ReadOptions options = ReadOptions.defaults()
        .withRevs(ex.flag("revs") || body.path("revs").asBoolean(false))
        .withLatest(ex.flag("latest") || body.path("latest").asBoolean(false))
        .withAttachments(ex.flag("attachments") || body.path("attachments").asBoolean(false));
    List<BulkGetRequest> requests = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    Map<Integer, ObjectNode> invalid = new LinkedHashMap<>();
    int index = 0;
    for (JsonNode d : docs) {
      if (!d.isObject() || !d.path("id").isTextual() || d.get("id").textValue().isEmpty()) {
        ObjectNode err = Exchange.object();
        err.putNull("id");
        err.putArray("docs").addObject().putObject("error").putNull("id").put("rev", (String) null)
            .put("error", "illegal_docid").put("reason", "Document id must be a string");
        invalid.put(index++, err);
        continue;
      }
      Optional<String> rev = d.path("rev").isTextual() ? Optional.of(d.get("rev").textValue()) : Optional.empty();
      List<String> attsSince = new ArrayList<>();
      if (d.path("atts_since").isArray()) {
        d.get("atts_since").forEach(a -> attsSince.add(a.asText()));
      }
      requests.add(new BulkGetRequest(d.get("id").textValue(), rev, attsSince));
      positions.add(index++);
    }
    List<BulkGetResult> results = requests.isEmpty() ? List.of() : db.bulkGet(requests, options);
    ex.metrics.documentsOut(FrontEndMetrics.VIA_READ, results.stream()
        .flatMap(r -> r.docs().stream()).filter(d -> !(d instanceof OpenRevResult.Missing)).count());
    boolean encodingInfo = ex.flag("att_encoding_info");
    ObjectNode out = Exchange.object();
    ArrayNode array = out.putArray("results");
    int next = 0;
    for (int i = 0; i < index; i++) {
      if (invalid.containsKey(i)) {
        array.add(invalid.get(i));
        continue;
      }
      BulkGetResult result = results.get(next);
      BulkGetRequest request = requests.get(next);
      next++;
      ObjectNode r = array.addObject();
      r.put("id", result.id());
      ArrayNode list = r.putArray("docs");
      for (OpenRevResult o : result.docs()) {
        switch (o) {
          case OpenRevResult.Found found -> list.addObject().set("ok", Docs.forJson(found.document().json(), encodingInfo));
          case OpenRevResult.Missing missing -> list.addObject().putObject("error")
              .put("id", result.id()).put("rev", missing.rev()).put("error", "not_found").put("reason", "missing");
          case OpenRevResult.Failed failed -> {
            CouchErrors.Mapping m = CouchErrors.of(failed.error(), failed.reason());
            list.addObject().putObject("error").put("id", failed.id())
                .put("rev", failed.rev().or(request::rev).orElse("undefined"))
                .put("error", m.error()).put("reason", m.reason());
          }
        }
      }
    }
    ex.send(200, out);
  }

  // --- _revs_diff ---

  private void revsDiff(Exchange ex, Database db) {
    ObjectNode body = ex.jsonObjectBody();
    Map<String, List<String>> request = new LinkedHashMap<>();
    var fields = body.properties().iterator();
    while (fields.hasNext()) {
      var entry = fields.next();
      if (!entry.getValue().isArray()) {
        throw CouchException.badRequest("Invalid revision list for " + entry.getKey());
      }
      List<String> revs = new ArrayList<>();
      for (JsonNode rev : entry.getValue()) {
        if (!rev.isTextual()) {
          throw CouchException.badRequest("Invalid rev format");
        }
        revs.add(rev.textValue());
      }
      request.put(entry.getKey(), revs);
    }
    Map<String, RevsDiff> diff;
    try {
      diff = request.isEmpty() ? Map.of() : db.revsDiff(request);
    } catch (SyncException e) {
      if (e.errorCode().code().equals(EngineError.INVALID_REVISION.code())) {
        throw CouchException.badRequest("Invalid rev format");
      }
      throw e;
    }
    ObjectNode out = Exchange.object();
    for (String id : request.keySet()) {
      RevsDiff d = diff.get(id);
      if (d == null || d.missing().isEmpty()) {
        continue;
      }
      ObjectNode entry = out.putObject(id);
      d.missing().forEach(entry.putArray("missing")::add);
      if (!d.possibleAncestors().isEmpty()) {
        d.possibleAncestors().forEach(entry.putArray("possible_ancestors")::add);
      }
    }
    ex.send(200, out);
  }
}
