package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A battery of malformed requests against both front-ends, sent over a raw socket so that nothing
 * on the client side cleans them up: bad JSON, bodies over the limit, deep nesting, bad UTF-8, bad
 * percent-encoding, bad multipart, bad gzip, bad query parameters, bad credentials, unknown
 * methods. Every answer must be a 4xx in the protocol's own JSON error format and must name nothing
 * of the server's insides (Java classes, packages, SQL, drivers, stack traces).
 */
final class MalformedInputTest {
  static {
    java.util.logging.Logger.getLogger("io.helidon").setLevel(java.util.logging.Level.OFF);
    java.util.logging.Logger.getLogger("io.polysync").setLevel(java.util.logging.Level.OFF);
  }

  /** What no answer may contain (compared case-insensitively). */
  static final List<String> FORBIDDEN = List.of("io.polysync", "java.", "javax.", "exception", "jackson",
      "fasterxml", "helidon", "bucket4j", ".java:", "\tat ", "streamreadconstraints", "select ", "insert into",
      "delete from", "sqlite", "jdbc", "postgres", "mariadb", "lettuce", "redis", "mongo",
      "nullpointer", "stack");

  /**
   * Odd but valid requests, which the protocol answers normally: Kinto takes an empty body as no
   * change and reads any body as JSON whatever its type, ignores empty {@code _sort}/{@code
   * _fields}, filters need no particular value, and a non-{@code *} {@code If-None-Match} that
   * matches no timestamp lets the write through; CouchDB answers per-document errors of {@code
   * _bulk_get} in a 200, does not run Mango queries (501), and falls back to Basic credentials
   * when a session cookie is not valid.
   */
  static final java.util.Set<String> VALID = java.util.Set.of("kinto empty body", "kinto wrong content type",
      "kinto list ?_sort=", "kinto list ?_fields=", "kinto list ?has_x=maybe", "kinto list ?like_title=",
      "kinto bad If-None-Match", "couch _bulk_get bad ids", "couch _find bad selector", "couch bad session cookie");

  private static final String BOSS = LimitsTest.basic("boss", "boss-secret");
  private static final int LIMIT = 200_000;

  @TempDir Path dir;
  private final ObjectMapper json = new ObjectMapper();

  /** A raw HTTP/1.1 answer. */
  record Answer(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** One malformed request: what it is, and its bytes up to the end of the headers' own lines. */
  record Probe(String what, String method, String target, Map<String, String> headers, byte[] body) {}

  private static Probe probe(String what, String method, String target, String contentType, String body) {
    return probe(what, method, target, contentType, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
  }

  private static Probe probe(String what, String method, String target, String contentType, byte[] body) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Authorization", BOSS);
    if (contentType != null) {
      headers.put("Content-Type", contentType);
    }
    return new Probe(what, method, target, headers, body);
  }

  private static Probe withHeader(Probe p, String name, String value) {
    Map<String, String> headers = new LinkedHashMap<>(p.headers());
    headers.put(name, value);
    return new Probe(p.what(), p.method(), p.target(), headers, p.body());
  }

  static Answer send(int port, String method, String target, Map<String, String> headers, byte[] body)
      throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      ByteArrayOutputStream req = new ByteArrayOutputStream();
      req.writeBytes((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      headers.forEach((k, v) -> req.writeBytes((k + ": " + v + "\r\n").getBytes(StandardCharsets.ISO_8859_1)));
      if (body != null || !method.equals("GET")) {
        req.writeBytes(("Content-Length: " + (body == null ? 0 : body.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      }
      req.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        req.writeBytes(body);
      }
      OutputStream out = socket.getOutputStream();
      try {
        out.write(req.toByteArray());
        out.flush();
      } catch (IOException e) {
        // The server may answer (413) and close before it has read a large body: read what it said.
      }
      return parse(readAnswer(socket.getInputStream()));
    }
  }

  /**
   * One answer's bytes: the head, then its Content-Length, or its chunks up to the last, or
   * whatever comes until the server closes.
   */
  static byte[] readAnswer(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      out.write(b);
      byte[] sofar = out.toByteArray();
      int n = sofar.length;
      if (n >= 4 && sofar[n - 4] == '\r' && sofar[n - 3] == '\n' && sofar[n - 2] == '\r' && sofar[n - 1] == '\n') {
        break;
      }
    }
    String head = out.toString(StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("\r\ncontent-length: *(\\d+)").matcher(head);
    if (length.find()) {
      out.writeBytes(in.readNBytes(Integer.parseInt(length.group(1))));
    } else if (head.contains("transfer-encoding: chunked")) {
      ByteArrayOutputStream rest = new ByteArrayOutputStream();
      while ((b = in.read()) >= 0) {
        rest.write(b);
        if (rest.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n0\r\n\r\n")
            || rest.toString(StandardCharsets.ISO_8859_1).equals("0\r\n\r\n")) {
          break;
        }
      }
      out.writeBytes(rest.toByteArray());
    } else if (!head.startsWith("http/1.1 204") && !head.startsWith("http/1.1 304")) {
      out.writeBytes(in.readAllBytes());
    }
    return out.toByteArray();
  }

  static Answer parse(byte[] raw) {
    String all = new String(raw, StandardCharsets.ISO_8859_1);
    int end = all.indexOf("\r\n\r\n");
    assertThat(end).as("an HTTP answer: " + all).isPositive();
    String[] lines = all.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
    }
    byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = dechunk(body);
    }
    return new Answer(status, headers, body);
  }

  private static byte[] dechunk(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < body.length) {
      int lineEnd = i;
      while (lineEnd + 1 < body.length && !(body[lineEnd] == '\r' && body[lineEnd + 1] == '\n')) {
        lineEnd++;
      }
      String sizeText = new String(body, i, lineEnd - i, StandardCharsets.ISO_8859_1).split(";")[0].trim();
      int size = Integer.parseInt(sizeText, 16);
      if (size == 0) {
        break;
      }
      out.write(body, lineEnd + 2, size);
      i = lineEnd + 2 + size + 2;
    }
    return out.toByteArray();
  }

  private static String nested(int depth) {
    return "{\"a\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
  }

  private static byte[] badUtf8(String prefix, String suffix) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(prefix.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc3, 0x28, (byte) 0xe2, (byte) 0x82});
    out.writeBytes(suffix.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  /** What both protocols get: the same kinds of breakage, each on a path of that protocol. */
  private static List<Probe> common(String doc, String write, String list, String wrap) {
    String json = "application/json";
    String huge = "{\"x\":\"" + "z".repeat(LIMIT + 10) + "\"}";
    List<Probe> p = new ArrayList<>();
    p.add(probe("truncated JSON", write, doc, json, "{\"a\":"));
    p.add(probe("not JSON", write, doc, json, "hello"));
    p.add(probe("JSON with trailing garbage", write, doc, json, String.format(wrap, "{}") + "}}"));
    p.add(probe("JSON array", write, doc, json, "[1,2,3]"));
    p.add(probe("JSON string", write, doc, json, "\"text\""));
    p.add(probe("empty body", write, doc, json, ""));
    p.add(probe("huge body", write, doc, json, String.format(wrap, huge)));
    p.add(probe("deep nesting", write, doc, json, String.format(wrap, nested(5_000))));
    p.add(probe("long number", write, doc, json, String.format(wrap, "{\"n\":" + "1".repeat(5_000) + "}")));
    p.add(probe("bad UTF-8 in JSON", write, doc, json, badUtf8(String.format(wrap, "{\"a\":\"").split("\"\\}")[0], "\"}")));
    p.add(probe("NUL bytes", write, doc, json, "{\"a\":\u0000}"));
    p.add(probe("bad gzip body", write, doc, json, new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7}));
    p.set(p.size() - 1, withHeader(p.get(p.size() - 1), "Content-Encoding", "gzip"));
    p.add(withHeader(probe("gzip body that is not gzip", write, doc, json, String.format(wrap, "{}")),
        "Content-Encoding", "gzip"));
    p.add(probe("unknown content encoding", write, doc, json, String.format(wrap, "{}")));
    p.set(p.size() - 1, withHeader(p.get(p.size() - 1), "Content-Encoding", "br, zstd, nonsense"));
    p.add(probe("bad multipart", write, doc, "multipart/related; boundary=\"abc\"",
        "--abc\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n--ab"));
    p.add(probe("multipart without boundary", write, doc, "multipart/related", "--abc\r\n\r\n{}\r\n--abc--"));
    p.add(probe("multipart form", write, doc, "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: "
        + "form-data; name=\"a\"\r\n\r\n1\r\n--x--\r\n"));
    p.add(probe("bad percent-encoding in path", "GET", doc + "%zz", null, (byte[]) null));
    p.add(probe("truncated percent-encoding in path", "GET", doc + "%e2%82", null, (byte[]) null));
    p.add(probe("lone percent in path", "GET", doc + "%", null, (byte[]) null));
    p.add(probe("encoded NUL in path", "GET", doc + "%00", null, (byte[]) null));
    p.add(probe("bad percent-encoding in query", "GET", list + "?limit=%zz&_limit=%zz", null, (byte[]) null));
    p.add(probe("unknown method", "FROBNICATE", doc, null, (byte[]) null));
    p.add(probe("WebDAV method", "PROPFIND", doc, null, (byte[]) null));
    p.add(probe("TRACE", "TRACE", doc, null, (byte[]) null));
    p.add(withHeader(probe("bad Basic credentials", "GET", doc, null, (byte[]) null), "Authorization",
        "Basic !!!not-base64!!!"));
    p.add(withHeader(probe("Basic without a colon", "GET", doc, null, (byte[]) null), "Authorization",
        "Basic " + java.util.Base64.getEncoder().encodeToString("nocolon".getBytes(StandardCharsets.UTF_8))));
    p.add(withHeader(probe("unknown auth scheme", "GET", doc, null, (byte[]) null), "Authorization",
        "Bearer " + "x".repeat(500)));
    p.add(withHeader(probe("bad If-Match", write, doc, json, String.format(wrap, "{}")), "If-Match", "\"\u00e9garbage"));
    p.add(probe("wrong content type", write, doc, "text/plain", String.format(wrap, "{}")));
    return p;
  }

  private static List<Probe> couch() {
    List<Probe> p = new ArrayList<>(common("/db/doc1", "PUT", "/db/_all_docs", "%s"));
    String json = "application/json";
    for (String q : List.of("limit=abc", "limit=-5", "skip=x", "descending=maybe", "startkey=notjson",
        "keys=[1,", "include_docs=2", "key=%7B%22a%22")) {
      p.add(probe("_all_docs ?" + q, "GET", "/db/_all_docs?" + q, null, (byte[]) null));
    }
    for (String q : List.of("since=xyz", "feed=bogus", "timeout=-1", "heartbeat=abc", "limit=1e99",
        "filter=nope/nope", "doc_ids=[1", "style=weird", "since=now&feed=longpoll&timeout=abc")) {
      p.add(probe("_changes ?" + q, "GET", "/db/_changes?" + q, null, (byte[]) null));
    }
    for (String q : List.of("rev=bad", "open_revs=[", "open_revs=all&revs=maybe", "atts_since=nope",
        "revs_info=2", "attachments=yes")) {
      p.add(probe("doc ?" + q, "GET", "/db/doc1?" + q, null, (byte[]) null));
    }
    p.add(probe("_bulk_docs docs not a list", "POST", "/db/_bulk_docs", json, "{\"docs\":\"x\"}"));
    p.add(probe("_bulk_docs doc not an object", "POST", "/db/_bulk_docs", json, "{\"docs\":[1]}"));
    p.add(probe("_bulk_docs new_edits without rev", "POST", "/db/_bulk_docs", json,
        "{\"new_edits\":false,\"docs\":[{\"_id\":\"a\"}]}"));
    p.add(probe("_bulk_get bad ids", "POST", "/db/_bulk_get", json, "{\"docs\":[{\"id\":5}]}"));
    p.add(probe("_bulk_get no docs", "POST", "/db/_bulk_get", json, "{}"));
    p.add(probe("_revs_diff array", "POST", "/db/_revs_diff", json, "[]"));
    p.add(probe("_revs_diff bad revs", "POST", "/db/_revs_diff", json, "{\"a\":\"1-x\"}"));
    p.add(probe("_all_docs keys not a list", "POST", "/db/_all_docs", json, "{\"keys\":5}"));
    p.add(probe("_find bad selector", "POST", "/db/_find", json, "{\"selector\":{\"$foo\":1}}"));
    p.add(probe("id that is an object", "POST", "/db", json, "{\"_id\":{}}"));
    p.add(probe("bad rev", "PUT", "/db/doc2", json, "{\"_rev\":\"garbage\"}"));
    p.add(probe("bad inline attachment", "PUT", "/db/doc3", json,
        "{\"_attachments\":{\"a\":{\"content_type\":\"text/plain\",\"data\":\"!!!not base64\"}}}"));
    p.add(probe("stub without a revision", "PUT", "/db/doc4", json, "{\"_attachments\":{\"a\":{\"stub\":true}}}"));
    p.add(probe("bad _revisions", "PUT", "/db/doc5?new_edits=false", json,
        "{\"_rev\":\"1-a\",\"_revisions\":{\"start\":\"x\",\"ids\":5}}"));
    p.add(probe("attachment with bad rev", "PUT", "/db/doc1/att.txt?rev=zzz", "text/plain", "hello"));
    p.add(probe("bad security object", "PUT", "/db/_security", json, "{\"admins\":[1,2]}"));
    p.add(probe("bad _local", "PUT", "/db/_local/x", json, "[]"));
    p.add(probe("bad database name", "PUT", "/Bad%20Name!", null, (byte[]) null));
    p.add(probe("bad user document", "PUT", "/_users/org.couchdb.user:x", json, "{\"name\":5,\"password\":[]}"));
    p.add(probe("bad _session JSON", "POST", "/_session", json, "{\"name\":"));
    p.add(probe("bad _session form", "POST", "/_session", "application/x-www-form-urlencoded", "name=%zz&password"));
    p.add(withHeader(probe("bad session cookie", "GET", "/db", null, (byte[]) null), "Cookie",
        "AuthSession=%%%garbage"));
    p.add(probe("_uuids count", "GET", "/_uuids?count=abc", null, (byte[]) null));
    return p;
  }

  private static List<Probe> kinto() {
    String rec = "/v1/buckets/b/collections/c/records";
    List<Probe> p = new ArrayList<>(common(rec + "/r1", "PUT", rec, "{\"data\":%s}"));
    String json = "application/json";
    for (String q : List.of("_limit=abc", "_limit=-1", "_sort=", "_since=abc", "_before=x", "_token=garbage",
        "_token=" + java.util.Base64.getUrlEncoder().encodeToString("{\"last_object\":5".getBytes(StandardCharsets.UTF_8)),
        "in_id=%zz", "gt_last_modified=abc", "_fields=", "has_x=maybe", "like_title=", "_limit=99999999999999999999")) {
      p.add(probe("list ?" + q, "GET", rec + "?" + q, null, (byte[]) null));
    }
    p.add(probe("bad JSON patch", "PATCH", rec + "/r1", "application/json-patch+json", "[{\"op\":\"explode\"}]"));
    p.add(probe("JSON patch not a list", "PATCH", rec + "/r1", "application/json-patch+json", "{\"op\":1}"));
    p.add(probe("bad merge patch", "PATCH", rec + "/r1", "application/merge-patch+json", "{\"data\":"));
    p.add(probe("data not an object", "PUT", rec + "/r2", json, "{\"data\":[]}"));
    p.add(probe("permissions not lists", "PUT", rec + "/r3", json, "{\"data\":{},\"permissions\":{\"read\":\"x\"}}"));
    p.add(probe("unknown permission", "PUT", rec + "/r4", json, "{\"data\":{},\"permissions\":{\"fly\":[]}}"));
    p.add(probe("field starting with _", "PUT", rec + "/r5", json, "{\"data\":{\"_rev\":\"1-a\"}}"));
    p.add(probe("bad record id", "PUT", rec + "/%2E%2E", json, "{\"data\":{}}"));
    p.add(probe("batch requests not a list", "POST", "/v1/batch", json, "{\"requests\":\"x\"}"));
    p.add(probe("batch bad request", "POST", "/v1/batch", json, "{\"requests\":[{\"path\":5,\"method\":[]}]}"));
    p.add(probe("batch deep", "POST", "/v1/batch", json, "{\"requests\":[{\"path\":\"/buckets\",\"body\":"
        + nested(5_000) + "}]}"));
    p.add(probe("bad bucket", "PUT", "/v1/buckets/" + "x".repeat(300), json, "{}"));
    p.add(probe("bad group members", "PUT", "/v1/buckets/b/groups/g", json, "{\"data\":{\"members\":\"x\"}}"));
    p.add(probe("bad account", "PUT", "/v1/accounts/someone", json, "{\"data\":{\"password\":5}}"));
    p.add(withHeader(probe("bad If-None-Match", "PUT", rec + "/r6", json, "{\"data\":{}}"), "If-None-Match", "abc"));
    p.add(probe("unknown endpoint", "GET", "/v1/nonsense/%FF%FE", null, (byte[]) null));
    return p;
  }

  @Test
  void malformedRequests_getTheProtocolsJsonError_andNothingInternal() throws Exception {
    ServeOptions options = new ServeOptions("127.0.0.1", 0, dir, Optional.of("boss:boss-secret"), Optional.empty(),
        Map.of("limits.max_request_bytes", Integer.toString(LIMIT)));
    try (Server server = Server.start(options, System.out)) {
      int port = server.port();
      Map<String, String> auth = Map.of("Authorization", BOSS, "Content-Type", "application/json");
      for (String[] setup : new String[][] {{"PUT", "/db", null}, {"PUT", "/db/doc1", "{\"a\":1}"},
          {"PUT", "/v1/buckets/b", "{}"}, {"PUT", "/v1/buckets/b/collections/c", "{}"},
          {"PUT", "/v1/buckets/b/collections/c/records/r1", "{\"data\":{\"a\":1}}"}}) {
        Answer a = send(port, setup[0], setup[1], auth, setup[2] == null ? null : setup[2].getBytes(StandardCharsets.UTF_8));
        assertThat(a.status()).as(setup[1] + ": " + a.text()).isBetween(200, 299);
      }
      List<String> problems = new ArrayList<>();
      int checked = 0;
      for (Probe p : couch()) {
        checked++;
        check(port, p, false, problems);
      }
      for (Probe p : kinto()) {
        checked++;
        check(port, p, true, problems);
      }
      assertThat(problems).as("answers that were not a clean JSON error").isEmpty();
      assertThat(checked).isGreaterThan(100);
      // The server still works.
      assertThat(send(port, "GET", "/db/doc1", auth, null).status()).isEqualTo(200);
      assertThat(send(port, "GET", "/v1/buckets/b/collections/c/records/r1", auth, null).status()).isEqualTo(200);
    }
  }

  private void check(int port, Probe p, boolean kinto, List<String> problems) throws IOException {
    String label = (kinto ? "kinto" : "couch") + " " + p.what() + " (" + p.method() + " " + abbreviate(p.target()) + ")";
    Answer a;
    try {
      a = send(port, p.method(), p.target(), p.headers(), p.body());
    } catch (java.net.SocketTimeoutException e) {
      problems.add(label + ": no answer within 10 s");
      return;
    }
    String text = a.text();
    String lower = (text + " " + a.headers()).toLowerCase(Locale.ROOT);
    for (String word : FORBIDDEN) {
      if (lower.contains(word)) {
        problems.add(label + ": answer names '" + word + "': " + abbreviate(text));
      }
    }
    boolean valid = VALID.contains((kinto ? "kinto " : "couch ") + p.what());
    if (valid && (a.status() < 300 || a.status() == 501)) {
      if (!a.text().startsWith("{") || json.readTree(a.body()) == null) {
        problems.add(label + ": not JSON: " + abbreviate(text));
      }
      return;
    }
    if (a.status() < 400 || a.status() > 499) {
      problems.add(label + ": status " + a.status() + ": " + abbreviate(text));
      return;
    }
    if (p.method().equals("HEAD")) {
      return;
    }
    JsonNode body;
    try {
      body = json.readTree(a.body());
    } catch (IOException e) {
      problems.add(label + ": not JSON: " + abbreviate(text));
      return;
    }
    if (body == null || !body.isObject()) {
      problems.add(label + ": not a JSON object: " + abbreviate(text));
    } else if (kinto) {
      if (body.path("code").asInt() != a.status() || !body.path("errno").isInt() || !body.path("error").isTextual()
          || !body.path("message").isTextual()) {
        problems.add(label + ": not Kinto's error format: " + abbreviate(text));
      }
    } else if (!body.path("error").isTextual() || !body.path("reason").isTextual()) {
      problems.add(label + ": not CouchDB's error format: " + abbreviate(text));
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  static InputStream nothing() {
    return InputStream.nullInputStream();
  }
}
