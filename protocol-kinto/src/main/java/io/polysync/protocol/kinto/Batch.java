package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code POST /batch}: sub-requests with the parent's headers and caller, paths prefixed with
 * {@code /v1} when it is missing, answered in order with one status each. Runs of record PUTs and
 * DELETEs on one collection (Kinto.js pushes nothing else) are written as one storage batch; each
 * still gets its own answer, and a refused one leaves the others written, as in Kinto. Unlike
 * Kinto, a storage failure is not rolled back across the whole batch: each run is atomic per
 * record, and the answers say which were written.
 */
final class Batch {
  private static final Set<String> KEYS = Set.of("method", "path", "headers", "body");

  private Batch() {}

  /** A parsed sub-request and its target when it is a batchable record write. */
  private record Sub(String path, KintoRequest request, KintoApi.Target recordTarget) {}

  static KintoResponse handle(KintoApi api, KintoRequest r, Function<Map<String, String>, Caller> authenticate) {
    KintoApi.requireMethod(r, "POST");
    JsonNode body = r.json();
    if (!body.isObject()) {
      throw KintoException.invalid("body", "requests", "Required");
    }
    for (var it = body.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!key.equals("defaults") && !key.equals("requests")) {
        throw KintoException.invalid("body", key, "Unrecognized key");
      }
    }
    JsonNode defaults = body.path("defaults");
    if (!defaults.isMissingNode() && !defaults.isObject()) {
      throw KintoException.invalid("body", "defaults", "must be an object");
    }
    JsonNode requests = body.get("requests");
    if (requests == null || !requests.isArray() || requests.isEmpty()) {
      throw KintoException.invalid("body", "requests", "Required");
    }
    int max = api.settings.batchMaxRequests();
    if (requests.size() > max) {
      throw KintoException.invalid("body", "requests", "Number of requests is limited to " + max);
    }
    List<Sub> subs = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      subs.add(parse(api, r, i, requests.get(i), defaults, authenticate));
    }
    ArrayNode responses = Json.MAPPER.createArrayNode();
    int i = 0;
    while (i < subs.size()) {
      Sub sub = subs.get(i);
      if (sub.recordTarget == null) {
        add(responses, sub.path, api.handle(sub.request));
        i++;
        continue;
      }
      // A run of record writes on one collection, distinct ids, by one caller.
      List<Sub> run = new ArrayList<>();
      Set<String> ids = new HashSet<>();
      while (i < subs.size()) {
        Sub next = subs.get(i);
        if (next.recordTarget == null
            || !next.recordTarget.bucket().equals(sub.recordTarget.bucket())
            || !next.recordTarget.collection().equals(sub.recordTarget.collection())
            || next.request.caller() != sub.request.caller()
            || !ids.add(next.recordTarget.id())) {
          break;
        }
        run.add(next);
        i++;
      }
      List<KintoResponse> answers;
      try {
        answers = api.writeObjects(sub.recordTarget, run.stream().map(Sub::request).toList());
      } catch (KintoException e) {
        answers = run.stream().map(x -> KintoResponse.error(e)).toList();
      } catch (io.polysync.spi.SyncException e) {
        KintoResponse error = KintoResponse.error(KintoApi.translate(e));
        answers = run.stream().map(x -> error).toList();
      }
      for (int k = 0; k < run.size(); k++) {
        add(responses, run.get(k).path, answers.get(k));
      }
    }
    ObjectNode out = Json.object();
    out.set("responses", responses);
    return new KintoResponse(200, out);
  }

  private static void add(ArrayNode responses, String path, KintoResponse res) {
    ObjectNode o = responses.addObject();
    o.put("status", res.status);
    o.put("path", path);
    ObjectNode headers = o.putObject("headers");
    headers.put("Content-Type", "application/json");
    res.headers.forEach(headers::put);
    if (res.body != null) {
      o.set("body", res.body);
    } else {
      o.putObject("body");
    }
  }

  private static Sub parse(KintoApi api, KintoRequest parent, int index, JsonNode raw, JsonNode defaults,
      Function<Map<String, String>, Caller> authenticate) {
    String where = "requests." + index;
    if (!raw.isObject()) {
      throw KintoException.invalid("body", where, "must be an object");
    }
    ObjectNode merged = Json.object();
    if (defaults.isObject()) {
      merged.setAll(((ObjectNode) defaults).deepCopy());
    }
    for (var e : raw.properties()) {
      if (e.getKey().equals("headers") && merged.get("headers") instanceof ObjectNode h && e.getValue().isObject()) {
        h.setAll((ObjectNode) e.getValue());
      } else {
        merged.set(e.getKey(), e.getValue());
      }
    }
    for (var it = merged.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        throw KintoException.invalid("body", where + "." + key, "Unrecognized key");
      }
    }
    String path = merged.path("path").asText("");
    if (!path.startsWith("/")) {
      throw KintoException.invalid("body", where + ".path", "Required, and must start with /");
    }
    if (!path.startsWith("/v1/") && !path.equals("/v1")) {
      path = "/v1" + path;
    }
    String method = merged.path("method").asText("GET").toUpperCase(Locale.ROOT);
    int q = path.indexOf('?');
    String rawPath = q < 0 ? path : path.substring(0, q);
    String query = q < 0 ? null : path.substring(q + 1);
    List<String> segments = KintoHttp.segments(rawPath.substring(3));
    if (!segments.isEmpty() && segments.get(0).equals("batch")) {
      throw KintoException.invalid("body", where + ".path", "Recursive call on /batch endpoint is forbidden.");
    }
    Map<String, String> headers = new LinkedHashMap<>(parent.headers());
    headers.remove("content-length");
    headers.remove("if-match");
    headers.remove("if-none-match");
    JsonNode subHeaders = merged.path("headers");
    if (!subHeaders.isMissingNode() && !subHeaders.isObject()) {
      throw KintoException.invalid("body", where + ".headers", "must be an object");
    }
    subHeaders.properties().forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().asText()));
    Caller caller = parent.caller();
    String auth = headers.get("authorization");
    if (auth != null && !auth.equals(parent.headers().get("authorization"))) {
      caller = authenticate.apply(headers);
    }
    JsonNode b = merged.get("body");
    if (b != null && b.isNull()) {
      b = null;
    }
    if (b != null) {
      headers.putIfAbsent("content-type", "application/json");
    }
    KintoRequest sub = new KintoRequest(method, segments, rawPath.substring(3), KintoHttp.parseQuery(query), headers,
        new byte[0], caller, parent.base(), b);
    KintoApi.Target recordTarget = null;
    if ((method.equals("PUT") || method.equals("DELETE")) && segments.size() == 6
        && segments.get(0).equals("buckets") && segments.get(2).equals("collections")
        && segments.get(4).equals("records") && query == null) {
      try {
        KintoApi.Target t = api.target(sub, segments);
        recordTarget = new KintoApi.Target(t.level(), t.bucket(), t.collection(), t.id());
      } catch (KintoException e) {
        recordTarget = null; // answered one by one, with the error in place
      }
    }
    return new Sub(path, sub, recordTarget);
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
