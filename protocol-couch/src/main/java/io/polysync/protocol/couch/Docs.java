package io.polysync.protocol.couch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Document shaping shared by the endpoints. */
final class Docs {
  private Docs() {}

  /** {@link #forJson(ObjectNode, boolean)} without encoding details, CouchDB's default. */
  static ObjectNode forJson(ObjectNode doc) {
    return forJson(doc, false);
  }

  /**
   * A document for a JSON answer: attachments the engine returned inline in their stored encoding
   * (gzip, as CouchDB's replicator pushes them) are decoded, because JSON clients such as PouchDB
   * expect the content itself in {@code data}. Stubs of attachments stored encoded keep {@code
   * encoding} and {@code encoded_length} only with {@code encodingInfo} (CouchDB's {@code
   * att_encoding_info=true}); {@code length} is always the decoded length.
   */
  static ObjectNode forJson(ObjectNode doc, boolean encodingInfo) {
    JsonNode atts = doc.get("_attachments");
    if (atts == null || !atts.isObject()) {
      return doc;
    }
    Iterator<Map.Entry<String, JsonNode>> it = atts.properties().iterator();
    while (it.hasNext()) {
      JsonNode att = it.next().getValue();
      if (!(att instanceof ObjectNode a) || !a.has("encoding")) {
        continue;
      }
      if (a.has("data")) {
        byte[] decoded = decode(Base64.getDecoder().decode(a.get("data").asText()), a.get("encoding").asText());
        a.put("data", Base64.getEncoder().encodeToString(decoded));
        a.remove("encoding");
        a.remove("encoded_length");
      } else if (!encodingInfo) {
        a.remove("encoding");
        a.remove("encoded_length");
      }
    }
    return doc;
  }

  /** Decodes stored bytes of a content encoding; unknown encodings are returned as they are. */
  static byte[] decode(byte[] data, String encoding) {
    if (!encoding.equalsIgnoreCase("gzip")) {
      return data;
    }
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void checkSize(ObjectNode doc, long maxBytes) {
    try {
      if (Exchange.JSON.writeValueAsBytes(doc).length > maxBytes) {
        throw new CouchException(413, "document_too_large", doc.path("_id").asText(""));
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
