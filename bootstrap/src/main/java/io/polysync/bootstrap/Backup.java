package io.polysync.bootstrap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The backup format of {@code polysync export} and {@code import}: NDJSON, one JSON object per
 * line, UTF-8, so a backup streams in both directions and a damaged line can be named.
 *
 * <pre>
 * {"format":"polysync-backup","version":1,"created":"2026-…Z","source":"sqlite:…","namespaces":["notes"]}
 * {"type":"namespace","name":"notes","revs_limit":1000,"security":{…}|null,"metadata":{…},
 *   "doc_count":2,"doc_del_count":1,"update_seq":7}
 * {"type":"doc","id":"a","leaves":[{"_id":"a","_rev":"3-…","_revisions":{"start":3,"ids":[…]},
 *   "_attachments":{"n.txt":{"content_type":…,"digest":"md5-…","revpos":2,"length":5,"data":"…"}},…},…]}
 * {"type":"local","id":"checkpoint-1","body":{…}}
 * {"type":"end","name":"notes","docs":3,"locals":1}
 * {"type":"footer","namespaces":1}
 * </pre>
 *
 * <p>A {@code doc} line holds every leaf of the document's revision tree (the winner, conflicts
 * and deleted leaves) as CouchDB renders it with {@code revs=true&attachments=true}: written again
 * with {@code new_edits=false}, the leaves and their paths rebuild the same tree. Interior
 * revisions keep no body in Polysync, so the paths are all there is of them. The {@code end} and
 * {@code footer} counts catch a truncated file.
 */
final class Backup {
  static final String FORMAT = "polysync-backup";
  static final int VERSION = 1;
  static final ObjectMapper JSON = new ObjectMapper();
  /** The server's own records: accounts and the server's keys never travel in a backup. */
  static final java.util.Set<String> NOT_EXPORTED = java.util.Set.of("_users", SystemRecords.NAMESPACE);
  /**
   * The prefix of the engine's per-user indexes of owned-document databases: derived data, left out
   * of {@code --all} (the engine rebuilds them from the documents on first read after a restore).
   */
  static final String DERIVED_PREFIX = "_own_";
  /**
   * Kinto's grant index of record permissions: derived data, left out of {@code --all} (the Kinto
   * front-end indexes the restored permissions again from their changes feed).
   */
  static final String DERIVED_GRANTS = "_kinto_grants";

  /** Whether {@code --all} leaves this namespace out: the server's own, or derived from others. */
  static boolean leftOutOfAll(String namespace) {
    return NOT_EXPORTED.contains(namespace) || namespace.startsWith(DERIVED_PREFIX) || namespace.equals(DERIVED_GRANTS);
  }
  static final Pattern REV = Pattern.compile("([1-9][0-9]{0,18})-(\\S+)");
  static final Pattern DATABASE_NAME = Pattern.compile("[a-z][a-z0-9_$()+/-]*|_[a-z0-9_]+");

  private Backup() {}

  /** A line that breaks the format: what is wrong with it. */
  static final class BadLine extends Exception {
    private static final long serialVersionUID = 1L;

    BadLine(String message) {
      super(message);
    }
  }

  static ObjectNode parse(String line) throws BadLine {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new BadLine("not JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new BadLine("not a JSON object");
    }
    return (ObjectNode) node;
  }

  static String text(JsonNode node, String field) throws BadLine {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
      throw new BadLine("\"" + field + "\" is missing or not a non-empty string");
    }
    return v.textValue();
  }

  static long number(JsonNode node, String field) throws BadLine {
    JsonNode v = node.get(field);
    if (v == null || !v.canConvertToExactIntegral() || !v.canConvertToLong() || v.asLong() < 0) {
      throw new BadLine("\"" + field + "\" is missing or not a non-negative integer");
    }
    return v.asLong();
  }

  /**
   * Checks one document line's leaves: ids, revision paths, attachment data against its digest.
   *
   * @return the number of leaves
   */
  static int checkDocument(ObjectNode line) throws BadLine {
    String id = text(line, "id");
    if (id.startsWith("_local/")) {
      throw new BadLine("document id " + id + " names a local document");
    }
    JsonNode leaves = line.get("leaves");
    if (leaves == null || !leaves.isArray() || leaves.isEmpty()) {
      throw new BadLine("document " + id + ": \"leaves\" is missing or empty");
    }
    for (JsonNode leaf : leaves) {
      if (!leaf.isObject()) {
        throw new BadLine("document " + id + ": a leaf is not a JSON object");
      }
      checkLeaf(id, (ObjectNode) leaf);
    }
    return leaves.size();
  }

  private static void checkLeaf(String id, ObjectNode leaf) throws BadLine {
    if (!leaf.path("_id").isTextual() || !leaf.get("_id").textValue().equals(id)) {
      throw new BadLine("document " + id + ": a leaf's _id is not " + id);
    }
    String rev = leaf.path("_rev").asText("");
    Matcher m = REV.matcher(rev);
    if (!m.matches()) {
      throw new BadLine("document " + id + ": bad _rev '" + rev + "'");
    }
    long gen = Long.parseLong(m.group(1));
    JsonNode revisions = leaf.get("_revisions");
    if (revisions == null || !revisions.isObject() || !revisions.path("start").canConvertToLong()
        || revisions.path("start").asLong() != gen || !revisions.path("ids").isArray()
        || revisions.get("ids").isEmpty() || revisions.get("ids").size() > gen
        || !revisions.get("ids").get(0).asText("").equals(m.group(2))) {
      throw new BadLine("document " + id + " revision " + rev + ": _revisions is missing or does not lead to it");
    }
    for (JsonNode part : revisions.get("ids")) {
      if (!part.isTextual() || part.textValue().isEmpty()) {
        throw new BadLine("document " + id + " revision " + rev + ": _revisions.ids holds a non-string");
      }
    }
    JsonNode deleted = leaf.get("_deleted");
    if (deleted != null && !deleted.isBoolean()) {
      throw new BadLine("document " + id + " revision " + rev + ": _deleted is not a boolean");
    }
    JsonNode atts = leaf.get("_attachments");
    if (atts == null) {
      return;
    }
    if (!atts.isObject()) {
      throw new BadLine("document " + id + " revision " + rev + ": _attachments is not an object");
    }
    for (var e : atts.properties()) {
      checkAttachment(id + " revision " + rev + " attachment " + e.getKey(), e.getValue());
    }
  }

  private static void checkAttachment(String where, JsonNode att) throws BadLine {
    if (!att.isObject()) {
      throw new BadLine(where + ": not an object");
    }
    if (!att.path("content_type").isTextual()) {
      throw new BadLine(where + ": content_type is missing");
    }
    String digest = text(att, "digest");
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text(att, "data"));
    } catch (IllegalArgumentException e) {
      throw new BadLine(where + ": data is not base64 (" + e.getMessage() + ")");
    }
    Optional<String> encoding = att.path("encoding").isTextual()
        ? Optional.of(att.get("encoding").textValue()).filter(s -> !s.equals("identity")) : Optional.empty();
    if (encoding.isEmpty()) {
      if (digest.startsWith("md5-") && !digest.equals(md5Digest(bytes))) {
        throw new BadLine(where + ": the data does not match its digest " + digest);
      }
      if (att.has("length") && att.get("length").asLong(-1) != bytes.length) {
        throw new BadLine(where + ": the data is " + bytes.length + " bytes, length says " + att.get("length"));
      }
    } else if (att.has("encoded_length") && att.get("encoded_length").asLong(-1) != bytes.length) {
      throw new BadLine(where + ": the data is " + bytes.length + " bytes, encoded_length says "
          + att.get("encoded_length"));
    }
  }

  /** CouchDB's attachment digest: {@code md5-} and the base64 of the MD5 of the bytes. */
  static String md5Digest(byte[] bytes) {
    try {
      return "md5-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has MD5", e);
    }
  }
}
