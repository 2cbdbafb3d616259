package io.polysync.engine;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * One document to write, CouchDB-shaped, with the raw bytes of attachments that did not travel
 * inline.
 *
 * @param doc the document: {@code _id}, {@code _rev}, {@code _revisions}, {@code _deleted}, {@code
 *     _attachments} and body members. An attachment entry holds inline {@code data} (base64), or
 *     {@code follows: true} with its bytes in {@code attachmentBytes}, or {@code stub: true}. With
 *     {@code encoding} (e.g. {@code gzip}) the bytes are taken as already encoded and stored so.
 * @param attachmentBytes bytes of the {@code follows} attachments by name (multipart/related
 *     bodies); not copied
 */
public record DocumentWrite(ObjectNode doc, Map<String, byte[]> attachmentBytes) {
  public DocumentWrite {
    requireNonNull(doc, "doc is null");
    attachmentBytes = Map.copyOf(attachmentBytes);
  }

  public static DocumentWrite of(ObjectNode doc) {
    return new DocumentWrite(doc, Map.of());
  }
}
