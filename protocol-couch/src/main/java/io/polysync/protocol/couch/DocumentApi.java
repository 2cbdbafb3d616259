package io.polysync.protocol.couch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.polysync.engine.Attachment;
import io.polysync.engine.Database;
import io.polysync.engine.Permission;
import io.polysync.engine.UserContext;
import io.polysync.engine.Document;
import io.polysync.engine.DocumentWrite;
import io.polysync.engine.EngineError;
import io.polysync.engine.OpenRevResult;
import io.polysync.engine.ReadOptions;
import io.polysync.engine.WriteOutcome;
import io.polysync.protocol.spi.FrontEndMetrics;
import io.polysync.spi.SyncException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Documents, their attachments, and local documents. */
final class DocumentApi {
  private final long maxDocumentBytes;

  DocumentApi(long maxDocumentBytes) {
    this.maxDocumentBytes = maxDocumentBytes;
  }

  static final String DESIGN_PREFIX = "_design/";
  static final String DESIGN_FORBIDDEN = "Only database admins may write design documents.";

  void document(Exchange ex, Database db, String id, Optional<String> attachment) {
    if (attachment.isPresent()) {
      attachment(ex, db, id, attachment.get());
      return;
    }
    switch (ex.method) {
      case "GET", "HEAD" -> get(ex, db, id);
      case "PUT" -> put(ex, db, id);
      case "DELETE" -> {
        String rev = rev(ex).orElseThrow(() -> new CouchException(409, "conflict", "Document update conflict."));
        WriteOutcome.Ok ok = db.delete(id, rev);
        ex.metrics.documentsIn(1);
        sendWritten(ex, 200, ok);
      }
      default -> CouchRouter.requireMethod(ex, "GET", "HEAD", "PUT", "DELETE");
    }
  }

  /** {@code ?rev=} or, as CouchDB also accepts, an {@code If-Match} header. */
  private static Optional<String> rev(Exchange ex) {
    return ex.param("rev").or(() -> ex.header(HeaderNames.IF_MATCH).map(v -> v.replace("\"", "")));
  }

  private static void sendWritten(Exchange ex, int status, WriteOutcome.Ok ok) {
    ex.res.header(HeaderNames.ETAG, "\"" + ok.rev() + "\"");
    ex.send(status, Exchange.object().put("ok", true).put("id", ok.id()).put("rev", ok.rev()));
  }

  // --- read ---

  private ReadOptions readOptions(Exchange ex) {
    boolean meta = ex.flag("meta");
    ReadOptions options = ReadOptions.defaults()
        .withRevs(ex.flag("revs"))
        .withRevsInfo(ex.flag("revs_info") || meta)
        .withConflicts(ex.flag("conflicts") || meta)
        .withDeletedConflicts(ex.flag("deleted_conflicts") || meta)
        .withAttachments(ex.flag("attachments"))
        .withLocalSeq(ex.flag("local_seq"))
        .withLatest(ex.flag("latest"));
    Optional<JsonNode> attsSince = ex.jsonParam("atts_since");
    if (attsSince.isPresent()) {
      if (!attsSince.get().isArray()) {
        throw CouchException.badRequest("`atts_since` must be a JSON array of revisions");
      }
      List<String> revs = new ArrayList<>();
      attsSince.get().forEach(r -> revs.add(r.asText()));
      options = options.withAttsSince(revs);
    }
    Optional<String> rev = ex.param("rev");
    if (rev.isPresent()) {
      options = options.withRev(rev.get());
    }
    return options;
  }

  private void get(Exchange ex, Database db, String id) {
    ReadOptions options = readOptions(ex);
    Optional<String> openRevs = ex.param("open_revs");
    if (openRevs.isPresent()) {
      openRevs(ex, db, id, openRevs.get(), options);
      return;
    }
    // CouchDB's send_doc_efficiently: attachments follow the JSON in a multipart/related body when
    // the client lists that type among its Accept tokens and asked for attachments (atts_since
    // implies it). CouchDB's replicator reads documents with attachments this way.
    boolean related = (options.attachments() || !options.attsSince().isEmpty()) && acceptsToken(ex, "multipart/related");
    if (related && options.attsSince().isEmpty()) {
      options = options.withAttachments(true);
    }
    Document doc = db.get(id, options);
    ex.metrics.documentsOut(FrontEndMetrics.VIA_READ, 1);
    String etag = "\"" + doc.rev() + "\"";
    if (ex.header(HeaderNames.IF_NONE_MATCH).filter(etag::equals).isPresent()) {
      ex.res.header(HeaderNames.ETAG, etag);
      ex.res.status(304);
      ex.sendEmpty();
      return;
    }
    ex.res.header(HeaderNames.ETAG, etag);
    if (related) {
      Revision part = revision(doc.json(), ex.flag("att_encoding_info"));
      if (part.related()) {
        ex.res.status(200);
        ex.res.header(HeaderNames.CONTENT_TYPE, part.contentType());
        if (ex.method.equals("HEAD")) {
          ex.res.contentLength(part.body().length);
          ex.sendEmpty();
        } else {
          ex.sendBytes(part.body());
        }
        return;
      }
    }
    ex.send(200, Docs.forJson(doc.json(), ex.flag("att_encoding_info")));
  }

  /**
   * Whether {@code type} is one of the Accept header's tokens, split on commas and spaces as
   * CouchDB does ({@code string:tokens(Accept, ", ")}): {@code multipart/related;q=0.5} is not.
   */
  private static boolean acceptsToken(Exchange ex, String type) {
    for (String value : ex.req.headers().values(HeaderNames.ACCEPT)) {
      for (String token : value.split("[, ]+")) {
        if (token.equalsIgnoreCase(type)) {
          return true;
        }
      }
    }
    return false;
  }

  private void openRevs(Exchange ex, Database db, String id, String value, ReadOptions options) {
    boolean multipart = ex.accepts("multipart/mixed");
    if (multipart && options.attsSince().isEmpty()) {
      // As CouchDB: a multipart answer carries the attachments (those newer than atts_since when given).
      options = options.withAttachments(true);
    }
    List<OpenRevResult> results;
    if (value.equals("all")) {
      results = db.openAllRevs(id, options);
    } else {
      JsonNode revsNode = ex.jsonParam("open_revs").orElseThrow();
      if (!revsNode.isArray()) {
        throw CouchException.badRequest("`open_revs` must be a JSON array or \"all\"");
      }
      List<String> revs = new ArrayList<>();
      for (JsonNode r : revsNode) {
        if (!r.isTextual()) {
          throw CouchException.badRequest("Invalid rev format");
        }
        revs.add(r.textValue());
      }
      try {
        results = db.openRevs(id, revs, options);
      } catch (SyncException e) {
        if (!e.errorCode().code().equals(EngineError.DOCUMENT_NOT_FOUND.code())) {
          throw e;
        }
        // CouchDB answers a document it has never seen with one "missing" per requested revision.
        List<OpenRevResult> missing = new ArrayList<>();
        revs.forEach(r -> missing.add(new OpenRevResult.Missing(r)));
        results = missing;
      }
    }
    ex.metrics.documentsOut(FrontEndMetrics.VIA_READ,
        results.stream().filter(r -> !(r instanceof OpenRevResult.Missing)).count());
    if (multipart) {
      openRevsMultipart(ex, results);
      return;
    }
    ArrayNode out = Exchange.array();
    for (OpenRevResult r : results) {
      switch (r) {
        case OpenRevResult.Found found -> out.addObject().set("ok",
            Docs.forJson(found.document().json(), ex.flag("att_encoding_info")));
        case OpenRevResult.Missing missing -> out.addObject().put("missing", missing.rev());
        case OpenRevResult.Failed failed -> failed.rev().ifPresent(rev -> out.addObject().put("missing", rev));
      }
    }
    ex.send(200, out);
  }

  /**
   * The {@code multipart/mixed} answer CouchDB's replicator asks for: one part per revision; a
   * revision carrying attachment data is itself a {@code multipart/related} part whose attachments
   * follow the JSON in their stored encoding.
   */
  private void openRevsMultipart(Exchange ex, List<OpenRevResult> results) {
    String boundary = CouchRouter.newUuid();
    Multipart.Writer writer = new Multipart.Writer(boundary);
    for (OpenRevResult r : results) {
      switch (r) {
        case OpenRevResult.Found found -> {
          Revision part = revision(found.document().json(), true);
          writer.part(Map.of("Content-Type", part.contentType()), part.body());
        }
        case OpenRevResult.Missing missing -> writer.part(
            Map.of("Content-Type", "application/json; error=\"true\""),
            json(Exchange.object().put("missing", missing.rev())));
        case OpenRevResult.Failed failed -> failed.rev().ifPresent(rev -> writer.part(
            Map.of("Content-Type", "application/json; error=\"true\""),
            json(Exchange.object().put("missing", rev))));
      }
    }
    ex.res.status(200);
    ex.res.header(HeaderNames.CONTENT_TYPE, "multipart/mixed; boundary=\"" + boundary + "\"");
    ex.sendBytes(writer.finish());
  }

  /** One revision rendered for a multipart answer: JSON alone, or a multipart/related body. */
  record Revision(String contentType, byte[] body) {
    boolean related() {
      return contentType.startsWith("multipart/related");
    }
  }

  /**
   * A revision as CouchDB's {@code doc_to_multi_part_stream} sends it: when attachment data was
   * read, a {@code multipart/related} body whose first part is the document JSON, its attachments
   * marked {@code "follows": true}, followed by one part per attachment in {@code _attachments}
   * order with {@code Content-Disposition: attachment; filename="..."}, its type, its length and,
   * when stored encoded, {@code Content-Encoding}: attachments go in their stored encoding
   * ({@code SendEncodedAtts}). Without attachment data, the document JSON alone. Stubs stay stubs.
   *
   * @param encodingInfo whether stubs show {@code encoding} and {@code encoded_length} (followed
   *     attachments always do, since their part is sent encoded)
   */
  static Revision revision(ObjectNode doc, boolean encodingInfo) {
    Map<String, byte[]> follows = new LinkedHashMap<>();
    Map<String, ObjectNode> metas = new LinkedHashMap<>();
    JsonNode atts = doc.get("_attachments");
    if (atts instanceof ObjectNode attObject) {
      Iterator<Map.Entry<String, JsonNode>> it = attObject.properties().iterator();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue() instanceof ObjectNode a && a.has("data")) {
          follows.put(e.getKey(), Base64.getDecoder().decode(a.get("data").asText()));
          ObjectNode stub = followsStub(a);
          attObject.set(e.getKey(), stub);
          metas.put(e.getKey(), stub);
        } else if (e.getValue() instanceof ObjectNode a && !encodingInfo) {
          a.remove("encoding");
          a.remove("encoded_length");
        }
      }
    }
    if (follows.isEmpty()) {
      return new Revision(Exchange.JSON_TYPE, json(doc));
    }
    String boundary = CouchRouter.newUuid();
    Multipart.Writer related = new Multipart.Writer(boundary);
    related.part(Map.of("Content-Type", Exchange.JSON_TYPE), json(doc));
    for (Map.Entry<String, byte[]> f : follows.entrySet()) {
      ObjectNode meta = metas.get(f.getKey());
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Content-Disposition", "attachment; filename=\"" + f.getKey().replace("\"", "\\\"") + "\"");
      headers.put("Content-Type", meta.path("content_type").asText("application/octet-stream"));
      headers.put("Content-Length", Integer.toString(f.getValue().length));
      if (meta.has("encoding")) {
        headers.put("Content-Encoding", meta.get("encoding").asText());
      }
      related.part(headers, f.getValue());
    }
    return new Revision("multipart/related; boundary=\"" + boundary + "\"", related.finish());
  }

  /** CouchDB's attachment JSON for data that follows: its fields in CouchDB's order, then the encoding. */
  private static ObjectNode followsStub(ObjectNode a) {
    ObjectNode out = Exchange.object();
    for (String field : List.of("content_type", "revpos", "digest", "length")) {
      if (a.has(field)) {
        out.set(field, a.get(field));
      }
    }
    out.put("follows", true);
    if (a.has("encoding")) {
      out.set("encoding", a.get("encoding"));
      out.set("encoded_length", a.get("encoded_length"));
    }
    return out;
  }

  private static byte[] json(JsonNode node) {
    try {
      return Exchange.JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // --- write ---

  private void put(Exchange ex, Database db, String id) {
    String type = ex.contentType();
    DocumentWrite write;
    if (type.startsWith("multipart/related")) {
      write = multipartWrite(ex, type);
    } else {
      ex.requireJsonContentType();
      byte[] body = ex.body();
      if (body.length > maxDocumentBytes) {
        throw new CouchException(413, "document_too_large", id);
      }
      JsonNode node = ex.parseJson(body);
      if (!node.isObject()) {
        throw CouchException.badRequest("Document must be a JSON object");
      }
      write = DocumentWrite.of((ObjectNode) node);
    }
    ObjectNode doc = write.doc();
    doc.put("_id", id);
    Optional<String> rev = rev(ex);
    if (rev.isPresent() && !doc.has("_rev")) {
      doc.put("_rev", rev.get());
    }
    boolean newEdits = !ex.param("new_edits").map("false"::equals).orElse(false);
    if (!newEdits && !doc.has("_rev") && !doc.has("_revisions")) {
      throw CouchException.badRequest("When `new_edits: false`, the document needs `_rev` or `_revisions` specified");
    }
    WriteOutcome.Ok ok = db.put(write, newEdits);
    ex.metrics.documentsIn(1);
    sendWritten(ex, 201, ok);
  }

  /** CouchDB's replicator: the document JSON first, then each {@code follows} attachment's bytes. */
  private DocumentWrite multipartWrite(Exchange ex, String type) {
    String boundary = Multipart.parameter(type, "boundary")
        .orElseThrow(() -> CouchException.badRequest("multipart/related without a boundary"));
    List<Multipart.Part> parts = Multipart.parse(ex.body(), boundary);
    if (parts.isEmpty()) {
      throw CouchException.badRequest("Empty multipart body");
    }
    byte[] jsonBytes = parts.get(0).body();
    if (jsonBytes.length > maxDocumentBytes) {
      throw new CouchException(413, "document_too_large", "document");
    }
    JsonNode node = ex.parseJson(jsonBytes);
    if (!node.isObject()) {
      throw CouchException.badRequest("Document must be a JSON object");
    }
    ObjectNode doc = (ObjectNode) node;
    List<String> following = new ArrayList<>();
    JsonNode atts = doc.get("_attachments");
    if (atts != null && atts.isObject()) {
      atts.properties().forEach(e -> {
        if (e.getValue().path("follows").asBoolean(false)) {
          following.add(e.getKey());
        }
      });
    }
    Map<String, byte[]> bytes = new HashMap<>();
    List<Multipart.Part> rest = parts.subList(1, parts.size());
    for (int i = 0; i < rest.size(); i++) {
      Multipart.Part part = rest.get(i);
      // Parts name their attachment; without a name, they come in _attachments order.
      String name = part.filename().orElse(i < following.size() ? following.get(i) : null);
      if (name == null) {
        throw CouchException.badRequest("Attachment part without a matching `follows` entry");
      }
      bytes.put(name, part.body());
    }
    for (String name : following) {
      if (!bytes.containsKey(name)) {
        throw CouchException.badRequest("Attachment " + name + " follows but is not in the body");
      }
    }
    return new DocumentWrite(doc, bytes);
  }

  /** {@code POST /{db}}: a new document; CouchDB picks the id when there is none. */
  void post(Exchange ex, Database db, UserContext user) {
    ex.requireJsonContentType();
    byte[] body = ex.body();
    if (body.length > maxDocumentBytes) {
      throw new CouchException(413, "document_too_large", "document");
    }
    JsonNode node = ex.parseJson(body);
    if (!node.isObject()) {
      throw CouchException.badRequest("Document must be a JSON object");
    }
    ObjectNode doc = (ObjectNode) node;
    if (!doc.has("_id")) {
      doc.put("_id", CouchRouter.newUuid());
    }
    if (doc.path("_id").asText().startsWith(DESIGN_PREFIX) && !db.allows(user, Permission.ADMIN)) {
      throw CouchRouter.denied(user, DESIGN_FORBIDDEN);
    }
    if (doc.path("_id").asText().startsWith("_local/")) {
      String rev = db.putLocal(doc.get("_id").asText(), doc);
      ex.send(201, Exchange.object().put("ok", true).put("id", doc.get("_id").asText()).put("rev", rev));
      return;
    }
    WriteOutcome.Ok ok = db.put(doc);
    ex.metrics.documentsIn(1);
    ex.res.header(HeaderNames.LOCATION, "/" + db.name() + "/" + ok.id());
    sendWritten(ex, 201, ok);
  }

  // --- attachments ---

  private void attachment(Exchange ex, Database db, String id, String name) {
    switch (ex.method) {
      case "GET", "HEAD" -> {
        Optional<String> rev = ex.param("rev");
        Attachment att = rev.isPresent() ? attachmentOfRevision(db, id, name, rev.get()) : db.attachment(id, name);
        byte[] data = att.data();
        if (att.encoding().isPresent()) {
          boolean clientTakesIt = ex.header(HeaderNames.ACCEPT_ENCODING)
              .map(v -> v.toLowerCase(java.util.Locale.ROOT).contains(att.encoding().get()))
              .orElse(false);
          if (clientTakesIt) {
            ex.res.header(HeaderNames.CONTENT_ENCODING, att.encoding().get());
          } else {
            data = Docs.decode(data, att.encoding().get());
          }
        }
        ex.res.header(HeaderNames.CONTENT_TYPE, att.contentType());
        ex.res.header(HeaderNames.ETAG, "\"" + att.digest() + "\"");
        ex.res.header(HeaderNames.ACCEPT_RANGES, "none");
        ex.res.status(200);
        if (ex.method.equals("HEAD")) {
          ex.res.contentLength(data.length);
          ex.sendEmpty();
        } else {
          ex.sendBytes(data);
        }
      }
      case "PUT" -> {
        if (id.startsWith("_local/")) {
          throw CouchException.badRequest("_local documents do not accept attachments.");
        }
        String contentType = ex.header(HeaderNames.CONTENT_TYPE).orElse("application/octet-stream");
        byte[] data = ex.body();
        WriteOutcome.Ok ok = db.putAttachment(id, rev(ex).orElse(null), name, contentType, data);
        sendWritten(ex, 201, ok);
      }
      case "DELETE" -> {
        String rev = rev(ex).orElseThrow(() -> new CouchException(409, "conflict", "Document update conflict."));
        WriteOutcome.Ok ok = db.deleteAttachment(id, rev, name);
        sendWritten(ex, 200, ok);
      }
      default -> CouchRouter.requireMethod(ex, "GET", "HEAD", "PUT", "DELETE");
    }
  }

  /**
   * The attachment as it was in revision {@code rev}. The engine keeps attachment metadata for
   * leaves only; for an older revision the content is found through a leaf descending from it:
   * an attachment whose {@code revpos} is not after that revision's generation was unchanged
   * since, so the leaf's bytes are the old revision's bytes (CouchDB serves such reads until
   * compaction, and a puller may ask while a newer revision arrives).
   */
  private static Attachment attachmentOfRevision(Database db, String id, String name, String rev) {
    try {
      return db.attachment(id, name, rev);
    } catch (SyncException e) {
      if (e.category() != io.polysync.spi.ErrorCategory.NOT_FOUND) {
        throw e;
      }
      int dash = rev.indexOf('-');
      long generation;
      try {
        generation = Long.parseLong(rev.substring(0, Math.max(0, dash)));
      } catch (NumberFormatException bad) {
        throw e;
      }
      String hash = rev.substring(dash + 1);
      List<OpenRevResult> leaves;
      try {
        leaves = db.openRevs(id, List.of(rev), ReadOptions.defaults().withRevs(true).withLatest(true));
      } catch (SyncException unknown) {
        throw e;
      }
      for (OpenRevResult leaf : leaves) {
        if (!(leaf instanceof OpenRevResult.Found found)) {
          continue;
        }
        ObjectNode doc = found.document().json();
        JsonNode revisions = doc.path("_revisions");
        long start = revisions.path("start").asLong(-1);
        JsonNode ids = revisions.path("ids");
        long index = start - generation;
        boolean ancestor = index >= 0 && index < ids.size() && ids.get((int) index).asText().equals(hash);
        JsonNode meta = doc.path("_attachments").path(name);
        if (ancestor && meta.isObject() && meta.path("revpos").asLong(Long.MAX_VALUE) <= generation) {
          return db.attachment(id, name, found.document().rev());
        }
      }
      throw e;
    }
  }

  // --- local documents ---

  void local(Exchange ex, Database db, String id) {
    switch (ex.method) {
      case "GET", "HEAD" -> {
        ObjectNode doc = db.getLocal(id).orElseThrow(() -> CouchException.notFound("missing"));
        ex.send(200, doc);
      }
      case "PUT" -> {
        ObjectNode doc = ex.jsonObjectBody();
        if (doc.has("_attachments")) {
          throw CouchException.badRequest("_local documents do not accept attachments.");
        }
        doc.put("_id", id);
        ex.param("rev").ifPresent(rev -> {
          if (!doc.has("_rev")) {
            doc.put("_rev", rev);
          }
        });
        String rev = db.putLocal(id, doc);
        ex.send(201, Exchange.object().put("ok", true).put("id", id).put("rev", rev));
      }
      case "DELETE" -> {
        String rev = rev(ex).orElseThrow(() -> new CouchException(409, "conflict", "Document update conflict."));
        db.deleteLocal(id, rev);
        ex.send(200, Exchange.object().put("ok", true).put("id", id).put("rev", "0-0"));
      }
      default -> CouchRouter.requireMethod(ex, "GET", "HEAD", "PUT", "DELETE");
    }
  }
}
