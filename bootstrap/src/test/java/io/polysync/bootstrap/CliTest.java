package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.ChangesOptions;
import io.polysync.engine.ChangesResult;
import io.polysync.engine.Database;
import io.polysync.engine.DocumentWrite;
import io.polysync.engine.OpenRevResult;
import io.polysync.engine.ReadOptions;
import io.polysync.engine.SecurityObject;
import io.polysync.engine.SyncEngine;
import io.polysync.engine.UserContext;
import io.polysync.engine.WriteOutcome;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The maintenance commands of {@code polysync}, run in-process on SQLite and H2 files. */
final class CliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  ByteArrayOutputStream out = new ByteArrayOutputStream();
  ByteArrayOutputStream err = new ByteArrayOutputStream();

  private String sqlite() {
    return "sqlite:" + dir.resolve("source.db");
  }

  private String h2() {
    return "h2:" + dir.resolve("target");
  }

  /** Runs a command line with {@code stdin} as standard input and no terminal. */
  private int runWithInput(String stdin, String... args) {
    out.reset();
    err.reset();
    return new PolysyncCommand(CliIo.of(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)))).execute(args);
  }

  private int run(String... args) {
    return runWithInput("", args);
  }

  private String[] on(String storage, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--data", dir.toString(), "--storage", storage));
    return all.toArray(String[]::new);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** The engine on {@code storage} with the key file of {@link #dir}, as the commands open it. */
  private StoreOptions.Opened open(String storage, boolean encryption) {
    return StoreOptions.open(dir, java.util.Optional.ofNullable(storage),
        new KeyOptions(encryption, "file", java.util.Optional.empty(), java.util.Optional.empty()));
  }

  private static ObjectNode doc(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  /**
   * A namespace with what a backup must keep: edits, two live conflicting leaves, a deleted leaf
   * beside a live one, a deleted document, attachments (one gzip-encoded, as CouchDB's replicator
   * sends them), local documents, a security object and a revs_limit.
   */
  static void seed(SyncEngine engine) throws Exception {
    Database db = engine.createDatabase("notes");
    db.setRevsLimit(50);
    db.setSecurity(new SecurityObject(List.of("ann"), List.of(), List.of("bob"), List.of("readers")));
    var a = db.put(doc("{\"_id\":\"a\",\"title\":\"first\"}"));
    a = db.put(doc("{\"_id\":\"a\",\"_rev\":\"" + a.rev() + "\",\"title\":\"second\"}"));
    db.putAttachment("a", a.rev(), "note.txt", "text/plain", "hello".getBytes(StandardCharsets.UTF_8));
    var e = db.put(doc("{\"_id\":\"e\",\"v\":1}"));
    db.delete("e", e.rev());
    List<DocumentWrite> replicated = new ArrayList<>();
    replicated.add(DocumentWrite.of(doc("{\"_id\":\"c\",\"_rev\":\"2-bbb\",\"v\":\"left\","
        + "\"_revisions\":{\"start\":2,\"ids\":[\"bbb\",\"aaa\"]}}")));
    replicated.add(DocumentWrite.of(doc("{\"_id\":\"c\",\"_rev\":\"3-ccc\",\"v\":\"right\","
        + "\"_revisions\":{\"start\":3,\"ids\":[\"ccc\",\"ddd\",\"aaa\"]}}")));
    replicated.add(DocumentWrite.of(doc("{\"_id\":\"d\",\"_rev\":\"2-fff\",\"v\":\"live\","
        + "\"_revisions\":{\"start\":2,\"ids\":[\"fff\",\"eee\"]}}")));
    replicated.add(DocumentWrite.of(doc("{\"_id\":\"d\",\"_rev\":\"3-999\",\"_deleted\":true,"
        + "\"_revisions\":{\"start\":3,\"ids\":[\"999\",\"998\",\"eee\"]}}")));
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
      g.write("zipped content ".repeat(20).getBytes(StandardCharsets.UTF_8));
    }
    ObjectNode g = doc("{\"_id\":\"g\",\"_rev\":\"1-abc\",\"_revisions\":{\"start\":1,\"ids\":[\"abc\"]}}");
    g.putObject("_attachments").putObject("z.txt").put("content_type", "text/plain").put("encoding", "gzip")
        .put("length", 300).put("revpos", 1).put("digest", "md5-fromTheSource0000000==")
        .put("data", b64(gz.toByteArray()));
    replicated.add(DocumentWrite.of(g));
    for (WriteOutcome o : db.bulkDocs(replicated, false)) {
      assertThat(o).isInstanceOf(WriteOutcome.Ok.class);
    }
    db.putLocal("_local/checkpoint", doc("{\"last_seq\":\"42\",\"history\":[1,2]}"));
    db.putLocal("_local/other", doc("{\"x\":true}"));
    engine.users().create("ann", "ann-password", List.of("staff"));
    Database empty = engine.createDatabase("empty");
    empty.setRevsLimit(7);
  }

  /** Every document's leaves as read with their paths, revision info and attachments, by id. */
  static Map<String, List<String>> trees(Database db) {
    Map<String, List<String>> out = new TreeMap<>();
    long since = 0;
    while (true) {
      ChangesResult page = db.changes(ChangesOptions.since(since).withLimit(100));
      for (ChangesResult.Row row : page.results()) {
        List<String> leaves = new ArrayList<>();
        for (OpenRevResult r : db.openAllRevs(row.id(), ReadOptions.defaults().withRevs(true).withRevsInfo(true)
            .withAttachments(true).withConflicts(true).withDeletedConflicts(true))) {
          leaves.add(((OpenRevResult.Found) r).document().json().toString());
        }
        leaves.sort(null);
        out.put(row.id(), leaves);
      }
      if (page.results().isEmpty()) {
        return out;
      }
      since = page.lastSeq();
    }
  }

  @Test
  void help_listsEveryCommand_andVersion() {
    assertThat(run("--help")).isZero();
    assertThat(out()).contains("serve", "keys", "user", "namespace", "export", "import", "check");
    assertThat(run("--version")).isZero();
    assertThat(out()).contains("Polysync");
    assertThat(run("user", "add", "--help")).isZero();
    assertThat(out()).contains("--password-file", "--password-stdin", "--role", "--storage", "--encryption");
    assertThat(run("keys", "status", "--help")).isZero();
    assertThat(out()).startsWith("Usage: polysync keys status ");
    assertThat(run("serve", "--help")).isZero();
    assertThat(out()).startsWith("Usage: polysync serve ").contains("--port");
    assertThat(run("export", "--version")).isZero();
    assertThat(out()).contains("Polysync");
  }

  @Test
  void user_addListPasswdDelete_throughTheEngineUserStore() throws Exception {
    Path secret = Files.writeString(dir.resolve("pw"), "s3cret-one\n");
    assertThat(run(on(sqlite(), "user", "add", "ann", "--password-file", secret.toString(), "--role", "editors",
        "--admin"))).as(err()).isZero();
    assertThat(out()).contains("Created user ann (roles: editors, _admin)");
    assertThat(runWithInput("bob-pass\n", on(sqlite(), "user", "add", "bob", "--password-stdin"))).as(err()).isZero();

    assertThat(runWithInput("other\n", on(sqlite(), "user", "add", "bob", "--password-stdin"))).isEqualTo(1);
    assertThat(err()).contains("bob");
    assertThat(run(on(sqlite(), "user", "add", "carl"))).isEqualTo(2);
    assertThat(err()).contains("no terminal to ask for the password");
    assertThat(runWithInput("pw\n", on(sqlite(), "user", "add", "_bad", "--password-stdin"))).isEqualTo(2);

    assertThat(run(on(sqlite(), "user", "list"))).isZero();
    assertThat(out()).containsPattern("ann +\\S+ +editors,_admin").containsPattern("bob +\\S+ *\\n");
    assertThat(out()).doesNotContain("carl");

    assertThat(runWithInput("changed\n", on(sqlite(), "user", "passwd", "bob", "--password-stdin"))).as(err()).isZero();
    try (StoreOptions.Opened opened = open(sqlite(), true)) {
      assertThat(opened.engine().users().authenticate("ann", "s3cret-one").orElseThrow().context().isServerAdmin())
          .isTrue();
      assertThat(opened.engine().users().authenticate("bob", "changed")).isPresent();
      assertThat(opened.engine().users().authenticate("bob", "bob-pass")).isEmpty();
    }

    assertThat(run(on(sqlite(), "user", "delete", "ann"))).isZero();
    assertThat(err()).contains("no server administrator is left");
    assertThat(run(on(sqlite(), "user", "delete", "ann"))).isEqualTo(1);
    try (StoreOptions.Opened opened = open(sqlite(), true)) {
      assertThat(opened.engine().users().get("ann")).isEmpty();
      assertThat(opened.engine().users().get("bob").orElseThrow().roles()).doesNotContain(UserContext.SERVER_ADMIN);
    }
  }

  @Test
  void namespace_createListDrop_dropNeedsYesWithoutATerminal() throws Exception {
    assertThat(run(on(sqlite(), "namespace", "create", "notes"))).as(err()).isZero();
    assertThat(run(on(sqlite(), "namespace", "create", "notes"))).isEqualTo(1);
    assertThat(run(on(sqlite(), "namespace", "create", "Bad Name"))).isEqualTo(2);
    try (StoreOptions.Opened opened = open(sqlite(), true)) {
      opened.engine().database("notes").put(doc("{\"_id\":\"x\"}"));
      var y = opened.engine().database("notes").put(doc("{\"_id\":\"y\"}"));
      opened.engine().database("notes").delete("y", y.rev());
    }
    assertThat(run(on(sqlite(), "namespace", "list"))).isZero();
    assertThat(out()).containsPattern("notes +1 +1 +3");

    assertThat(run(on(sqlite(), "namespace", "drop", "notes"))).isEqualTo(2);
    assertThat(err()).contains("without --yes");
    assertThat(run(on(sqlite(), "namespace", "drop", "nothing", "--yes"))).isEqualTo(1);
    assertThat(run(on(sqlite(), "namespace", "drop", "notes", "--yes"))).isZero();
    try (StoreOptions.Opened opened = open(sqlite(), true)) {
      assertThat(opened.engine().databaseExists("notes")).isFalse();
    }
  }

  @Test
  void exportAll_leavesOutTheServersRecordsAndDerivedIndexes() {
    assertThat(List.of("_users", "_polysync", "_own_0123_abcd", "_kinto_grants")).allMatch(Backup::leftOutOfAll);
    assertThat(List.of("notes", "_kinto", "_kinto_acl", "_kinto_history", "kinto/b/c", "userdb-616c696365"))
        .noneMatch(Backup::leftOutOfAll);
  }

  @Test
  void exportImport_sqliteToH2_sameRevisionTreesAttachmentsSecurityAndLocals() throws Exception {
    try (StoreOptions.Opened source = open(sqlite(), true)) {
      seed(source.engine());
    }
    Path backup = dir.resolve("backup.ndjson");
    assertThat(run(on(sqlite(), "export", "--all", "-o", backup.toString()))).as(err()).isZero();
    assertThat(err()).contains("Exported 2 namespaces: 5 documents, 7 leaves, 2 attachments, 2 local documents");
    List<String> lines = Files.readAllLines(backup);
    assertThat(JSON.readTree(lines.get(0)).get("format").asText()).isEqualTo("polysync-backup");
    assertThat(lines).noneMatch(l -> l.contains("engine.dek"));

    assertThat(run(on(h2(), "import", backup.toString()))).as(err()).isZero();
    assertThat(err()).contains("Imported 5 documents");

    try (StoreOptions.Opened source = open(sqlite(), true); StoreOptions.Opened target = open(h2(), true)) {
      Database from = source.engine().database("notes");
      Database to = target.engine().database("notes");
      Map<String, List<String>> expected = trees(from);
      assertThat(expected.keySet()).containsExactly("a", "c", "d", "e", "g");
      assertThat(expected.get("c")).hasSize(2);
      assertThat(expected.get("d")).anyMatch(l -> l.contains("\"_deleted\":true"));
      assertThat(trees(to)).isEqualTo(expected);
      assertThat(to.info().docCount()).isEqualTo(from.info().docCount());
      assertThat(to.info().docDelCount()).isEqualTo(from.info().docDelCount());
      assertThat(to.revsLimit()).isEqualTo(50);
      assertThat(to.security()).isEqualTo(from.security());
      JsonNode zipped = to.openAllRevs("g", ReadOptions.defaults().withAttachments(true)).stream()
          .map(r -> ((OpenRevResult.Found) r).document().json()).findFirst().orElseThrow()
          .get("_attachments").get("z.txt");
      assertThat(zipped.get("encoding").asText()).isEqualTo("gzip");
      assertThat(zipped.get("digest").asText()).isEqualTo("md5-fromTheSource0000000==");
      assertThat(target.engine().database("empty").revsLimit()).isEqualTo(7);
      assertThat(to.localDocs("", 10)).isEqualTo(from.localDocs("", 10));
      assertThat(to.getLocal("checkpoint").orElseThrow().get("history").toString()).isEqualTo("[1,2]");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"json", "field", "base64", "digest", "truncated"})
  void import_damagedLine_namesTheLine_andChangesNothing(String damage) throws Exception {
    try (StoreOptions.Opened source = open(sqlite(), true)) {
      seed(source.engine());
    }
    Path backup = dir.resolve("backup.ndjson");
    assertThat(run(on(sqlite(), "export", "notes", "-o", backup.toString()))).as(err()).isZero();
    List<String> lines = new ArrayList<>(Files.readAllLines(backup));
    int withAttachment = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("\"note.txt\"")) {
        withAttachment = i;
      }
    }
    assertThat(withAttachment).isPositive();
    String line = lines.get(withAttachment);
    String hello = b64("hello".getBytes(StandardCharsets.UTF_8));
    int expectedLine = withAttachment + 1;
    switch (damage) {
      case "json" -> lines.set(withAttachment, line.substring(0, line.length() / 2));
      case "field" -> lines.set(withAttachment, line.replace("\"leaves\"", "\"leafs\""));
      case "base64" -> lines.set(withAttachment, line.replace(hello, "!!not base64!!"));
      case "digest" -> lines.set(withAttachment, line.replace(hello, b64("jello".getBytes(StandardCharsets.UTF_8))));
      case "truncated" -> {
        lines = new ArrayList<>(lines.subList(0, lines.size() - 2));
        expectedLine = lines.size();
      }
      default -> throw new IllegalArgumentException(damage);
    }
    Files.write(backup, lines);

    assertThat(run(on(h2(), "import", backup.toString()))).isEqualTo(1);
    assertThat(err()).contains("line " + expectedLine).contains("nothing was imported");
    try (StoreOptions.Opened target = open(h2(), true)) {
      assertThat(target.engine().databaseExists("notes")).isFalse();
    }
  }

  @Test
  void import_intoANamespaceWithDocuments_refusesWithoutMerge_mergesWithIt() throws Exception {
    try (StoreOptions.Opened source = open(sqlite(), true)) {
      seed(source.engine());
    }
    Path backup = dir.resolve("backup.ndjson");
    assertThat(run(on(sqlite(), "export", "notes", "-o", backup.toString()))).as(err()).isZero();
    try (StoreOptions.Opened target = open(h2(), true)) {
      target.engine().createDatabase("copy").put(doc("{\"_id\":\"mine\"}"));
    }
    assertThat(run(on(h2(), "import", backup.toString(), "--into", "copy"))).isEqualTo(1);
    assertThat(err()).contains("without --merge");
    try (StoreOptions.Opened target = open(h2(), true)) {
      assertThat(target.engine().database("copy").info().docCount()).isEqualTo(1);
    }
    assertThat(run(on(h2(), "import", backup.toString(), "--into", "copy", "--merge"))).as(err()).isZero();
    try (StoreOptions.Opened source = open(sqlite(), true); StoreOptions.Opened target = open(h2(), true)) {
      Map<String, List<String>> merged = trees(target.engine().database("copy"));
      assertThat(merged).containsKey("mine");
      merged.remove("mine");
      assertThat(merged).isEqualTo(trees(source.engine().database("notes")));
    }
  }

  @Test
  void check_cleanStorage_exitsZero_corruptAttachmentBytes_isReported() throws Exception {
    try (StoreOptions.Opened source = open(sqlite(), false)) {
      seed(source.engine());
    }
    assertThat(run(on(sqlite(), "check", "--encryption", "off"))).as(out() + err()).isZero();
    assertThat(out()).contains("notes: 5 documents (4 live, 1 deleted), 7 leaves, 1 conflict, 2 attachments, 2 local documents: ok")
        .contains("_users: 0 documents (0 live, 0 deleted), 0 leaves, 0 conflicts, 0 attachments, 1 local document: ok")
        .contains("No problems in 3 namespaces.");

    try (Connection c = DriverManager.getConnection("jdbc:" + sqlite());
        PreparedStatement update = c.prepareStatement("UPDATE polysync_blobs SET data = ? WHERE data = ?")) {
      update.setBytes(1, "jello".getBytes(StandardCharsets.UTF_8));
      update.setBytes(2, "hello".getBytes(StandardCharsets.UTF_8));
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
    assertThat(run(on(sqlite(), "check", "notes", "--encryption", "off"))).isEqualTo(1);
    assertThat(out()).contains("notes: ").contains(": 1 problem\n")
        .contains("problem: a revision 3-").contains("does not match its digest");
  }

  @Test
  void check_alteredSealedBody_isReported() throws Exception {
    try (StoreOptions.Opened source = open(sqlite(), true)) {
      source.engine().createDatabase("notes").put(doc("{\"_id\":\"a\",\"secret\":\"x\"}"));
      source.engine().database("notes").put(doc("{\"_id\":\"b\",\"secret\":\"y\"}"));
    }
    assertThat(run(on(sqlite(), "check", "notes"))).as(out()).isZero();
    try (Connection c = DriverManager.getConnection("jdbc:" + sqlite());
        var select = c.prepareStatement("SELECT state FROM polysync_documents WHERE doc_id = ?");
        var update = c.prepareStatement("UPDATE polysync_documents SET state = ? WHERE doc_id = ?")) {
      select.setBytes(1, "b".getBytes(StandardCharsets.UTF_8));
      byte[] state;
      try (var rs = select.executeQuery()) {
        assertThat(rs.next()).isTrue();
        state = rs.getBytes(1);
      }
      state[state.length - 5] ^= 0x01;
      update.setBytes(1, state);
      update.setBytes(2, "b".getBytes(StandardCharsets.UTF_8));
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
    assertThat(run(on(sqlite(), "check", "notes"))).isEqualTo(1);
    assertThat(out()).contains("problem: document b: cannot be read").doesNotContain("document a:");
  }

  @Test
  void progress_withoutATerminal_printsPlainLines() throws Exception {
    try (StoreOptions.Opened source = open(sqlite(), true)) {
      Database db = source.engine().createDatabase("many");
      List<DocumentWrite> docs = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        docs.add(DocumentWrite.of(doc("{\"_id\":\"d" + i + "\",\"n\":" + i + "}")));
      }
      db.bulkDocs(docs, true);
    }
    assertThat(run(on(sqlite(), "export", "many", "-o", dir.resolve("b.ndjson").toString(), "--progress-every", "10")))
        .as(err()).isZero();
    List<String> lines = err().lines().toList();
    assertThat(lines).anyMatch(l -> l.startsWith("export: 10/25 (40%), "))
        .anyMatch(l -> l.startsWith("export: 20/25 (80%), "))
        .anyMatch(l -> l.startsWith("export: 25 docs in "));
    assertThat(err()).doesNotContain("\r");
    assertThat(run(on(h2(), "import", dir.resolve("b.ndjson").toString(), "--progress-every", "10"))).as(err())
        .isZero();
    assertThat(err()).contains("import: 10/25 (40%), ").contains("import: 25 docs in ");
  }

  private static HttpResponse<String> http(Server server, String method, String path, String user, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8)))
        .header("Content-Type", "application/json");
    return HttpClient.newHttpClient().send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void commands_whileAServerRuns_shareItsStorage() throws Exception {
    try (Server server = Server.start(new ServeOptions("127.0.0.1", 0, dir, Optional.of("boss:secret"),
        Optional.of(sqlite()), Map.of()), System.out)) {
      assertThat(runWithInput("carl-pw\n", on(sqlite(), "user", "add", "carl", "--password-stdin", "--role", "staff")))
          .as(err()).isZero();
      HttpResponse<String> session = http(server, "GET", "/_session", "carl:carl-pw", null);
      assertThat(session.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(session.body()).at("/userCtx/roles").toString()).isEqualTo("[\"staff\"]");

      assertThat(run(on(sqlite(), "namespace", "create", "shared"))).as(err()).isZero();
      assertThat(http(server, "PUT", "/shared/doc1", "boss:secret", "{\"v\":1}").statusCode()).isEqualTo(201);
      assertThat(run(on(sqlite(), "namespace", "list"))).isZero();
      assertThat(out()).containsPattern("shared +1 +0 +1");
      assertThat(run(on(sqlite(), "export", "shared"))).as(err()).isZero();
      assertThat(out()).contains("\"id\":\"doc1\"").contains("\"v\":1");
      assertThat(run(on(sqlite(), "check", "shared"))).as(out()).isZero();
      assertThat(http(server, "GET", "/shared/doc1", "boss:secret", null).statusCode()).isEqualTo(200);
    }
  }
}
