package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Every role against every operation, through both protocols, on one namespace that both serve:
 * the Kinto collection {@code /v1/buckets/b/collections/c}, which is the CouchDB database {@code
 * kinto/b/c} (docs/protocols/cross-protocol.md). The expected outcome of each cell is written out
 * in {@link #MATRIX}; docs/security.md shows the same table. Beyond the cells: what each role sees
 * in lists, that no denied answer carries data, and that an object the caller may not see answers
 * exactly as a missing one does.
 */
final class PermissionMatrix {
  /** The roles, in the order of the expectation strings. */
  static final List<String> ROLES = List.of("anonymous", "stranger", "reader", "member", "owner", "admin");
  static final String PASSWORD = "matrix-secret";
  static final String DB = "/kinto%2Fb%2Fc";
  static final String K = "/v1/buckets/b";

  /**
   * One operation and what each role gets, one letter per role in {@link #ROLES} order: {@code Y}
   * a 2xx answer, {@code N} a refusal (401 without credentials, 403 with), {@code 4} 404.
   *
   * @param path {@code {r}} becomes the role (objects of its own, so that deletions do not
   *     interfere), {@code {rev}} the current revision of the document the path names
   */
  record Op(String protocol, String name, String method, String path, String body, String expected) {}

  /**
   * The roles: {@code stranger} is signed in and has no permission; {@code reader} has Kinto
   * {@code read} on the collection; {@code member} has Kinto {@code write} on the collection, which
   * makes it a member of the CouchDB database; {@code owner} has {@code write} on the bucket (a
   * member too: the database's admins list stays empty, so nobody but the server admin holds the
   * CouchDB database admin permission on a Kinto collection); {@code admin} is the server admin.
   */
  static final List<Op> MATRIX = List.of(
      // CouchDB. Kinto read-only principals get no CouchDB access: CouchDB members may also write.
      new Op("couch", "database info", "GET", DB, null, "NNNYYY"),
      new Op("couch", "GET document", "GET", DB + "/r1", null, "NNNYYY"),
      new Op("couch", "PUT document", "PUT", DB + "/cw-{r}", "{\"v\":1}", "NNNYYY"),
      new Op("couch", "DELETE document", "DELETE", DB + "/cd-{r}?rev={rev}", null, "NNNYYY"),
      new Op("couch", "_all_docs", "GET", DB + "/_all_docs", null, "NNNYYY"),
      new Op("couch", "_changes", "GET", DB + "/_changes", null, "NNNYYY"),
      new Op("couch", "_bulk_docs", "POST", DB + "/_bulk_docs", "{\"docs\":[{\"_id\":\"cb-{r}\"}]}", "NNNYYY"),
      new Op("couch", "_bulk_get", "POST", DB + "/_bulk_get", "{\"docs\":[{\"id\":\"r1\"}]}", "NNNYYY"),
      new Op("couch", "_revs_diff", "POST", DB + "/_revs_diff", "{\"r1\":[\"9-abc\"]}", "NNNYYY"),
      new Op("couch", "GET attachment", "GET", DB + "/withatt/file.txt", null, "NNNYYY"),
      new Op("couch", "PUT attachment", "PUT", DB + "/ca-{r}/file.txt", "text", "NNNYYY"),
      new Op("couch", "GET _local", "GET", DB + "/_local/l1", null, "NNNYYY"),
      new Op("couch", "PUT _local", "PUT", DB + "/_local/l-{r}", "{\"v\":1}", "NNNYYY"),
      new Op("couch", "GET _security", "GET", DB + "/_security", null, "NNNYYY"),
      new Op("couch", "PUT _security", "PUT", DB + "/_security", "{security}", "NNNNNY"),
      new Op("couch", "GET design doc", "GET", DB + "/_design/d1", null, "NNNYYY"),
      new Op("couch", "PUT design doc", "PUT", DB + "/_design/d-{r}", "{\"language\":\"query\"}", "NNNNNY"),
      new Op("couch", "POST document", "POST", DB, "{\"v\":1}", "NNNYYY"),
      new Op("couch", "_all_dbs", "GET", "/_all_dbs", null, "NNNNNY"),
      // Accounts: one user store behind both protocols; each user sees only its own record.
      new Op("couch", "GET another user", "GET", "/_users/org.couchdb.user:member", null, "NNNYNY"),
      new Op("couch", "_users _all_docs", "GET", "/_users/_all_docs", null, "NNNNNY"),
      // Kinto.
      new Op("kinto", "GET bucket", "GET", K, null, "NNNNYY"),
      new Op("kinto", "PUT bucket", "PUT", K, "{\"data\":{\"title\":\"b\"}}", "NNNNYY"),
      new Op("kinto", "PATCH bucket", "PATCH", K, "{\"data\":{\"note\":\"{r}\"}}", "NNNNYY"),
      new Op("kinto", "DELETE bucket", "DELETE", "/v1/buckets/bd-{r}", null, "NNNNYY"),
      new Op("kinto", "create bucket", "PUT", "/v1/buckets/bn-{r}", "{}", "NNNNNY"),
      new Op("kinto", "GET collection", "GET", K + "/collections/c", null, "NNYYYY"),
      new Op("kinto", "PUT collection", "PUT", K + "/collections/c", "{\"data\":{\"title\":\"c\"}}", "NNNYYY"),
      new Op("kinto", "PATCH collection", "PATCH", K + "/collections/c", "{\"data\":{\"note\":\"{r}\"}}", "NNNYYY"),
      new Op("kinto", "DELETE collection", "DELETE", K + "/collections/cd-{r}", null, "NNNYYY"),
      new Op("kinto", "create collection", "PUT", K + "/collections/cn-{r}", "{}", "NNNNYY"),
      new Op("kinto", "list records", "GET", K + "/collections/c/records", null, "NNYYYY"),
      new Op("kinto", "GET record", "GET", K + "/collections/c/records/r1", null, "NNYYYY"),
      new Op("kinto", "PUT record", "PUT", K + "/collections/c/records/kw-{r}", "{\"data\":{\"v\":1}}", "NNNYYY"),
      new Op("kinto", "PATCH record", "PATCH", K + "/collections/c/records/r1", "{\"data\":{\"by\":\"{r}\"}}",
          "NNNYYY"),
      new Op("kinto", "DELETE record", "DELETE", K + "/collections/c/records/kd-{r}", null, "NNNYYY"),
      new Op("kinto", "GET group", "GET", K + "/groups/g", null, "NNNNYY"),
      new Op("kinto", "PUT group", "PUT", K + "/groups/g", "{\"data\":{\"members\":[\"account:owner\"]}}",
          "NNNNYY"),
      new Op("kinto", "create group", "PUT", K + "/groups/gn-{r}", "{\"data\":{\"members\":[]}}", "NNNNYY"),
      new Op("kinto", "DELETE group", "DELETE", K + "/groups/gd-{r}", null, "NNNNYY"),
      new Op("kinto", "GET another account", "GET", "/v1/accounts/member", null, "NNNYNY"),
      new Op("kinto", "/permissions (not served)", "GET", "/v1/permissions", null, "444444"));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();
  private final String secret = "SECRET" + UUID.randomUUID().toString().replace("-", "");
  private final int port;
  private final List<String> problems = new ArrayList<>();

  private PermissionMatrix(int port) {
    this.port = port;
  }

  /** Starts a server on {@code storageUri} (empty: SQLite in {@code dir}) and checks everything. */
  static void check(Path dir, Optional<String> storageUri) throws Exception {
    ServeOptions options = new ServeOptions("127.0.0.1", 0, dir, Optional.of("admin:" + PASSWORD), storageUri,
        Map.of());
    try (Server server = Server.start(options, System.out)) {
      PermissionMatrix m = new PermissionMatrix(server.port());
      m.setUp();
      int cells = m.runMatrix();
      m.checkLists();
      m.checkHiddenLooksMissing();
      assertThat(m.problems).as("permission matrix").isEmpty();
      assertThat(cells).isEqualTo(MATRIX.size() * ROLES.size());
    }
  }

  private static String auth(String role) {
    return role.equals("anonymous") ? null : "Basic " + Base64.getEncoder()
        .encodeToString((role + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
  }

  HttpResponse<String> send(String role, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    String a = auth(role);
    if (a != null) {
      b.header("Authorization", a);
    }
    boolean attachment = path.endsWith("/file.txt");
    if (body != null) {
      b.header("Content-Type", attachment ? "text/plain" : "application/json");
    }
    return http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode ok(String role, String method, String path, String body) throws Exception {
    HttpResponse<String> res = send(role, method, path, body);
    assertThat(res.statusCode()).as("setup " + method + " " + path + ": " + res.body()).isBetween(200, 299);
    return json.readTree(res.body());
  }

  private void setUp() throws Exception {
    for (String role : ROLES.subList(1, ROLES.size() - 1)) {
      ok("admin", "PUT", "/_users/org.couchdb.user:" + role, "{\"name\":\"" + role + "\",\"password\":\""
          + PASSWORD + "\",\"roles\":[],\"type\":\"user\"}");
    }
    String bucketPerms = "{\"permissions\":{\"write\":[\"account:owner\"]}}";
    String collectionPerms = "{\"permissions\":{\"read\":[\"account:reader\"],\"write\":[\"account:member\"]}}";
    ok("admin", "PUT", K, bucketPerms);
    ok("admin", "PUT", K + "/collections/c", collectionPerms);
    ok("admin", "PUT", K + "/groups/g", "{\"data\":{\"members\":[\"account:owner\"]}}");
    ok("admin", "PUT", K + "/collections/c/records/r1", "{\"data\":{\"text\":\"" + secret + "\"}}");
    for (String role : ROLES) {
      ok("admin", "PUT", "/v1/buckets/bd-" + role, bucketPerms);
      ok("admin", "PUT", K + "/collections/cd-" + role, collectionPerms);
      ok("admin", "PUT", K + "/collections/c/records/kd-" + role, "{\"data\":{\"text\":\"" + secret + "\"}}");
      ok("admin", "PUT", K + "/groups/gd-" + role, "{\"data\":{\"members\":[]}}");
      ok("admin", "PUT", DB + "/cd-" + role, "{\"text\":\"" + secret + "\"}");
    }
    ok("admin", "PUT", DB + "/withatt", "{\"_attachments\":{\"file.txt\":{\"content_type\":\"text/plain\",\"data\":\""
        + Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)) + "\"}}}");
    ok("admin", "PUT", DB + "/_local/l1", "{\"text\":\"" + secret + "\"}");
    ok("admin", "PUT", DB + "/_design/d1", "{\"language\":\"query\",\"text\":\"" + secret + "\"}");
    // The mapping made the collection's writers (bucket and collection) members of the database.
    JsonNode security = ok("admin", "GET", DB + "/_security", null);
    assertThat(security.toString()).contains("\"member\"").contains("\"owner\"").doesNotContain("reader");
  }

  private String resolve(String text, String role, String path) throws Exception {
    String out = text.replace("{r}", role);
    if (out.contains("{rev}")) {
      String doc = out.substring(0, out.indexOf('?'));
      out = out.replace("{rev}", ok("admin", "GET", doc, null).get("_rev").asText());
    }
    if (out.contains("{security}")) {
      out = ok("admin", "GET", path, null).toString();
    }
    return out;
  }

  private int runMatrix() throws Exception {
    int cells = 0;
    for (Op op : MATRIX) {
      for (int i = 0; i < ROLES.size(); i++) {
        String role = ROLES.get(i);
        String path = resolve(op.path(), role, op.path());
        String body = op.body() == null ? null : resolve(op.body(), role, path);
        HttpResponse<String> res = send(role, op.method(), path, body);
        cells++;
        char want = op.expected().charAt(i);
        int status = res.statusCode();
        String cell = op.protocol() + " " + op.name() + " as " + role + " (" + op.method() + " " + path + ")";
        boolean good = switch (want) {
          case 'Y' -> status >= 200 && status < 300;
          case 'N' -> status == (role.equals("anonymous") ? 401 : 403);
          case '4' -> status == 404;
          default -> throw new IllegalStateException("expectation " + want);
        };
        if (!good) {
          problems.add(cell + ": expected " + want + ", got " + status + " " + abbreviate(res.body()));
        }
        if (want != 'Y' && res.body().contains(secret)) {
          problems.add(cell + ": a refusal carries stored data: " + abbreviate(res.body()));
        }
      }
    }
    return cells;
  }

  /** Ids in a Kinto list ({@code data[].id}), or none when the list was refused. */
  private Set<String> kintoIds(String role, String path) throws Exception {
    HttpResponse<String> res = send(role, "GET", path, null);
    Set<String> ids = new LinkedHashSet<>();
    if (res.statusCode() == 200) {
      json.readTree(res.body()).path("data").forEach(n -> ids.add(n.path("id").asText()));
    } else if (res.statusCode() != 401 && res.statusCode() != 403) {
      problems.add("list " + path + " as " + role + ": status " + res.statusCode());
    }
    return ids;
  }

  private void checkLists() throws Exception {
    for (String role : ROLES) {
      Set<String> buckets = kintoIds(role, "/v1/buckets");
      boolean bucketReader = role.equals("owner") || role.equals("admin");
      if (bucketReader != buckets.contains("b")) {
        problems.add("bucket list as " + role + ": " + buckets);
      }
      if (!bucketReader && !buckets.isEmpty()) {
        problems.add("bucket list as " + role + " shows buckets it may not read: " + buckets);
      }
      Set<String> collections = kintoIds(role, K + "/collections");
      boolean collectionReader = !role.equals("anonymous") && !role.equals("stranger");
      if (collectionReader != collections.contains("c") && !(collectionReader && collections.isEmpty()
          && !bucketReader)) {
        problems.add("collection list as " + role + ": " + collections);
      }
      if (!collectionReader && !collections.isEmpty()) {
        problems.add("collection list as " + role + " shows collections it may not read: " + collections);
      }
      Set<String> groups = kintoIds(role, K + "/groups");
      if (!bucketReader && !groups.isEmpty()) {
        problems.add("group list as " + role + " shows groups it may not read: " + groups);
      }
      if (bucketReader && !groups.contains("g")) {
        problems.add("group list as " + role + " misses g: " + groups);
      }
      Set<String> records = kintoIds(role, K + "/collections/c/records");
      if (collectionReader != records.contains("r1")) {
        problems.add("record list as " + role + ": " + records);
      }
      HttpResponse<String> all = send(role, "GET", DB + "/_all_docs", null);
      boolean member = List.of("member", "owner", "admin").contains(role);
      if (member != (all.statusCode() == 200) || !member && all.body().contains("r1")) {
        problems.add("_all_docs as " + role + ": " + all.statusCode() + " " + abbreviate(all.body()));
      }
      HttpResponse<String> dbs = send(role, "GET", "/_all_dbs", null);
      if (!role.equals("admin") && dbs.body().contains("kinto")) {
        problems.add("_all_dbs as " + role + " names databases");
      }
    }
  }

  /** What a caller may not see must answer byte for byte as what does not exist. */
  private void checkHiddenLooksMissing() throws Exception {
    same(List.of("anonymous", "stranger", "reader"), DB, "/kinto%2Fb%2Fmissing");
    same(List.of("anonymous", "stranger", "reader"), DB, "/nosuchdb");
    same(List.of("anonymous", "stranger", "reader"), DB + "/r1", DB + "/nosuchdoc");
    same(List.of("anonymous", "stranger", "reader"), DB + "/r1", "/nosuchdb/r1");
    same(List.of("anonymous", "stranger", "reader"), DB + "/_local/l1", DB + "/_local/missing");
    same(List.of("anonymous", "stranger", "reader"), DB + "/withatt/file.txt", DB + "/withatt/missing.txt");
    same(List.of("anonymous", "stranger", "reader", "member"), K, "/v1/buckets/nosuchbucket");
    same(List.of("anonymous", "stranger", "reader", "member"), K + "/groups/g", K + "/groups/nosuchgroup");
    same(List.of("anonymous", "stranger"), K + "/collections/c", K + "/collections/nosuchcollection");
    same(List.of("anonymous", "stranger"), K + "/collections/c", "/v1/buckets/nosuchbucket/collections/c");
    same(List.of("anonymous", "stranger"), K + "/collections/c/records/r1", K + "/collections/c/records/nosuch");
    same(List.of("anonymous", "stranger"), K + "/collections/c/records/r1",
        "/v1/buckets/nosuchbucket/collections/c/records/r1");
    same(List.of("anonymous", "stranger"), K + "/collections/c/records", K + "/collections/nosuch/records");
  }

  private void same(List<String> roles, String hidden, String missing) throws Exception {
    for (String role : roles) {
      HttpResponse<String> a = send(role, "GET", hidden, null);
      HttpResponse<String> b = send(role, "GET", missing, null);
      if (a.statusCode() < 400) {
        problems.add(role + " can read " + hidden + ": " + a.statusCode());
      } else if (a.statusCode() != b.statusCode() || !a.body().equals(b.body())) {
        problems.add(role + ": " + hidden + " (" + a.statusCode() + " " + abbreviate(a.body()) + ") answers unlike "
            + missing + " (" + b.statusCode() + " " + abbreviate(b.body()) + ")");
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
