package io.polysync.engine;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A document revision as read, CouchDB-shaped ({@code _id}, {@code _rev}, {@code _deleted}, body,
 * then whichever of {@code _attachments}, {@code _conflicts}, {@code _deleted_conflicts}, {@code
 * _revisions}, {@code _revs_info}, {@code _local_seq} were asked for).
 *
 * @param json the document; a fresh node the caller may modify
 * @param seq the sequence number of the document's latest write
 * @param timestamp the timestamp of that write, epoch milliseconds
 */
public record Document(ObjectNode json, long seq, long timestamp) {
  public Document {
    requireNonNull(json, "json is null");
  }

  public String id() {
    return json.path("_id").asText();
  }

  public String rev() {
    return json.path("_rev").asText();
  }

  public boolean deleted() {
    return json.path("_deleted").asBoolean(false);
  }
}
