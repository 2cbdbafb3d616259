package io.polysync.engine.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** The two hashes the engine computes: attachment digests and deterministic revision ids. */
final class Digests {
  private Digests() {}

  /** {@code md5-<base64 of md5(bytes)>}: the attachment digest exactly as CouchDB and PouchDB write it. */
  public static String attachmentDigest(byte[] bytes) {
    return "md5-" + Base64.getEncoder().encodeToString(md5(bytes));
  }

  /**
   * The hash part of a new revision id: lowercase hex md5 of a canonical serialization of the
   * previous revision, the deleted flag, the body (special members removed, members sorted) and
   * the attachment digests by name. Identical edits of the same revision on two replicas give the
   * same id, so they converge instead of conflicting, as with PouchDB's deterministic revs.
   */
  public static String revisionHash(
      Rev previous, boolean deleted, ObjectNode body, Map<String, AttachmentMeta> attachments) {
    ArrayNode input = Json.NODES.arrayNode();
    if (previous == null) {
      input.addNull();
    } else {
      input.add(previous.toString());
    }
    input.add(deleted);
    input.add(body);
    ArrayNode atts = input.addArray();
    for (var e : new TreeMap<>(attachments).entrySet()) {
      atts.addArray().add(e.getKey()).add(e.getValue().digest());
    }
    return HexFormat.of().formatHex(md5(Json.canonicalBytes(input)));
  }

  static byte[] md5(byte[] bytes) {
    try {
      return MessageDigest.getInstance("MD5").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has MD5", e);
    }
  }
}
