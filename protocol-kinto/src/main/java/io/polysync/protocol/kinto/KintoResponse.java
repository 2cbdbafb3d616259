package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.JsonNode;
import io.polysync.protocol.spi.ErrorDocs;
import java.util.LinkedHashMap;
import java.util.Map;

/** An answer: status, headers and a JSON body (null for none, as in a 304). */
final class KintoResponse {
  final int status;
  final Map<String, String> headers = new LinkedHashMap<>();
  final JsonNode body;

  KintoResponse(int status, JsonNode body) {
    this.status = status;
    this.body = body;
  }

  KintoResponse header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  KintoResponse etag(long timestamp) {
    return header("ETag", "\"" + timestamp + "\"");
  }

  static KintoResponse error(KintoException e) {
    var body = Json.object();
    body.put("code", e.status);
    body.put("errno", e.errno);
    body.put("error", e.error());
    body.put("message", e.getMessage());
    e.detailsNode().ifPresent(d -> body.set("details", d));
    body.put("info", ErrorDocs.kinto(e.errno));
    KintoResponse r = new KintoResponse(e.status, body);
    e.headers.forEach(r::header);
    return r;
  }

  Map<String, String> headers() {
    return new LinkedHashMap<>(headers);
  }
}
