package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.spi.QueryEvaluator;

/**
 * One Kinto object as stored: its fields without {@code id} and {@code last_modified}, which come
 * from the storage (the document id and its write timestamp).
 *
 * @param rev the engine revision the object's state is, for conditional writes
 * @param attachments CouchDB attachment stubs of a record written through the other protocol, kept
 *     by Kinto writes; null when none
 */
record Item(String id, long lastModified, boolean deleted, ObjectNode fields, Perms perms, String rev, long seq,
    ObjectNode attachments) {

  Item(String id, long lastModified, boolean deleted, ObjectNode fields, Perms perms, String rev, long seq) {
    this(id, lastModified, deleted, fields, perms, rev, seq, null);
  }

  /** Kinto's JSON: the fields plus {@code id} and {@code last_modified}; a tombstone has {@code deleted: true} only. */
  ObjectNode toJson() {
    ObjectNode out = Json.object();
    if (!deleted) {
      out.setAll(fields);
    }
    out.put("id", id);
    out.put("last_modified", lastModified);
    if (deleted) {
      out.put("deleted", true);
    }
    return out;
  }

  QueryEvaluator.Candidate candidate() {
    return new QueryEvaluator.Candidate(id, seq, lastModified, deleted, Values.object(deleted ? Json.object() : fields));
  }

  Item withPerms(Perms value) {
    return new Item(id, lastModified, deleted, fields, value, rev, seq, attachments);
  }
}
