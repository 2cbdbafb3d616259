package io.polysync.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.EngineError;
import io.polysync.spi.Names;
import io.polysync.spi.SyncException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;

/** Validates a document write the way CouchDB's {@code couch_doc:from_json_obj} does. */
final class DocParser {
  static final String LOCAL_PREFIX = "_local/";
  static final String DESIGN_PREFIX = "_design/";
  private static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

  private DocParser() {}

  /**
   * @param id the id when the caller knows it from elsewhere (a URL), else null; must agree with
   *     {@code _id} when both are given
   * @param follows bytes of attachments marked {@code follows: true}, by name
   */
  static ParsedDoc parse(JsonNode json, String id, Map<String, byte[]> follows, boolean newEdits) {
    if (!(json instanceof ObjectNode doc)) {
      throw new SyncException(EngineError.INVALID_DOCUMENT, "Document must be a JSON object");
    }
    ObjectNode body = Json.object();
    Optional<Rev> rev = Optional.empty();
    List<Rev> path = List.of();
    boolean deleted = false;
    Map<String, AttachmentInput> attachments = Map.of();
    String docId = id;
    for (var e : doc.properties()) {
      String name = e.getKey();
      JsonNode value = e.getValue();
      if (!name.startsWith("_")) {
        body.set(name, value);
        continue;
      }
      switch (name) {
        case "_id" -> {
          if (!value.isTextual()) {
            throw new SyncException(EngineError.BAD_REQUEST, "Document id must be a string");
          }
          if (docId != null && !docId.equals(value.textValue())) {
            throw new SyncException(EngineError.BAD_REQUEST, "Document id does not match the request");
          }
          docId = value.textValue();
        }
        case "_rev" -> {
          if (!value.isTextual()) {
            throw new SyncException(EngineError.INVALID_REVISION, "Invalid rev format");
          }
          rev = Optional.of(Rev.parse(value.textValue()));
        }
        case "_deleted" -> deleted = value.isBoolean() && value.booleanValue();
        case "_revisions" -> path = parseRevisions(value);
        case "_attachments" -> attachments = parseAttachments(value, follows);
        case "_revs_info", "_conflicts", "_deleted_conflicts", "_local_seq" -> {
          // Output-only members a client may echo back; CouchDB ignores them too.
        }
        default -> throw new SyncException(
            EngineError.INVALID_DOCUMENT, "Bad special document member: " + name);
      }
    }
    if (!path.isEmpty()) {
      if (rev.isPresent() && !rev.get().equals(path.get(0))) {
        throw new SyncException(EngineError.BAD_REQUEST, "_rev does not match _revisions");
      }
      rev = Optional.of(path.get(0));
    }
    if (docId == null) {
      if (!newEdits) {
        throw new SyncException(EngineError.BAD_REQUEST, "Document id is missing");
      }
      docId = newId();
    }
    checkId(docId);
    if (!newEdits && rev.isEmpty()) {
      throw new SyncException(
          EngineError.BAD_REQUEST,
          "When `new_edits: false`, the document needs `_rev` or `_revisions` specified");
    }
    return new ParsedDoc(docId, rev, path, deleted, body, attachments);
  }

  static void checkId(String id) {
    if (id.isEmpty()) {
      throw new SyncException(EngineError.BAD_REQUEST, "Document id must not be empty");
    }
    if (id.startsWith("_") && !(id.startsWith(DESIGN_PREFIX) && id.length() > DESIGN_PREFIX.length())) {
      throw new SyncException(
          EngineError.BAD_REQUEST, "Only reserved document ids may start with underscore.");
    }
    try {
      Names.checkId(id);
    } catch (SyncException e) {
      throw new SyncException(EngineError.BAD_REQUEST, "Invalid document id: " + e.getMessage(), e);
    }
  }

  /** A fresh id for a document posted without one: 32 random lowercase hex characters, like CouchDB's. */
  static String newId() {
    byte[] bytes = new byte[16];
    ThreadLocalRandom.current().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static List<Rev> parseRevisions(JsonNode value) {
    JsonNode start = value.get("start");
    JsonNode ids = value.get("ids");
    if (!value.isObject() || start == null || !start.canConvertToLong() || !start.isIntegralNumber()
        || ids == null || !ids.isArray() || ids.isEmpty()) {
      throw new SyncException(EngineError.BAD_REQUEST, "_revisions must be {start, ids}");
    }
    long gen = start.longValue();
    if (gen < ids.size()) {
      throw new SyncException(EngineError.INVALID_REVISION, "_revisions.start is lower than its length");
    }
    List<Rev> path = new ArrayList<>(ids.size());
    for (JsonNode id : ids) {
      if (!id.isTextual()) {
        throw new SyncException(EngineError.INVALID_REVISION, "_revisions.ids must be strings");
      }
      path.add(Rev.parse(gen + "-" + id.textValue()));
      gen--;
    }
    return List.copyOf(path);
  }

  private static Map<String, AttachmentInput> parseAttachments(JsonNode value, Map<String, byte[]> follows) {
    if (!value.isObject()) {
      throw new SyncException(EngineError.INVALID_ATTACHMENT, "_attachments must be an object");
    }
    Map<String, AttachmentInput> out = new LinkedHashMap<>();
    for (var e : value.properties()) {
      String name = e.getKey();
      JsonNode att = e.getValue();
      if (name.isEmpty() || name.startsWith("_")) {
        throw new SyncException(
            EngineError.INVALID_ATTACHMENT,
            "Attachment name '" + name + "' starts with prohibited character '_' or is empty");
      }
      if (!att.isObject()) {
        throw new SyncException(EngineError.INVALID_ATTACHMENT, "Attachment '" + name + "' must be an object");
      }
      Optional<String> digest = text(att, "digest");
      if (att.path("stub").asBoolean(false)) {
        out.put(name, new AttachmentInput.Stub(digest));
        continue;
      }
      byte[] bytes;
      if (att.has("data")) {
        if (!att.get("data").isTextual()) {
          throw new SyncException(EngineError.INVALID_ATTACHMENT, "Attachment '" + name + "' data is not a string");
        }
        try {
          // Line breaks are tolerated (MIME-style base64); any other stray character is an error.
          bytes = Base64.getDecoder().decode(att.get("data").textValue().replaceAll("[\\r\\n ]", ""));
        } catch (IllegalArgumentException ex) {
          throw new SyncException(EngineError.INVALID_ATTACHMENT, "Invalid attachment data for " + name, ex);
        }
      } else if (att.path("follows").asBoolean(false)) {
        bytes = follows.get(name);
        if (bytes == null) {
          throw new SyncException(
              EngineError.INVALID_ATTACHMENT, "Attachment '" + name + "' follows but no data was supplied");
        }
      } else {
        throw new SyncException(
            EngineError.INVALID_ATTACHMENT, "Attachment '" + name + "' has neither data, follows nor stub");
      }
      Optional<String> encoding = text(att, "encoding").filter(enc -> !enc.equals("identity"));
      out.put(name, new AttachmentInput.Data(
          text(att, "content_type").orElse(DEFAULT_CONTENT_TYPE),
          bytes,
          encoding,
          digest,
          number(att, "length"),
          number(att, "revpos")));
    }
    return out;
  }

  private static Optional<String> text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? Optional.of(v.textValue()) : Optional.empty();
  }

  private static OptionalLong number(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isIntegralNumber() && v.longValue() > 0 ? OptionalLong.of(v.longValue()) : OptionalLong.empty();
  }
}
