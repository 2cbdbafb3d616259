package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembled server: plugins found by ServiceLoader, SQLite in a temporary directory. */
final class ServerTest {
  private static final java.util.logging.Logger HELIDON = java.util.logging.Logger.getLogger("io.helidon");
  private static final java.util.logging.Logger POLYSYNC = java.util.logging.Logger.getLogger("io.polysync");

  static {
    HELIDON.setLevel(java.util.logging.Level.WARNING);
    POLYSYNC.setLevel(java.util.logging.Level.WARNING);
  }

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  final ObjectMapper json = new ObjectMapper();

  private ServeOptions options(Optional<String> admin, Optional<String> storage) {
    return new ServeOptions("127.0.0.1", 0, dir, admin, storage, Map.of());
  }

  private HttpResponse<String> get(Server server, String path, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void start_withAdmin_servesCouchAndChecksCredentials() throws Exception {
    try (Server server = Server.start(options(Optional.of("boss:pa55:word"), Optional.empty()), System.out)) {
      JsonNode welcome = json.readTree(get(server, "/", null).body());
      assertThat(welcome.get("couchdb").asText()).isEqualTo("Welcome");
      assertThat(welcome.get("uuid").asText()).matches("[0-9a-f]{32}");

      assertThat(get(server, "/_all_dbs", null).statusCode()).isEqualTo(401);
      assertThat(get(server, "/_all_dbs", basic("boss", "wrong")).statusCode()).isEqualTo(401);
      HttpResponse<String> dbs = get(server, "/_all_dbs", basic("boss", "pa55:word"));
      assertThat(dbs.statusCode()).isEqualTo(200);
      // The server's own namespace is not a database.
      assertThat(dbs.body()).isEqualTo("[]");
    }
  }

  @Test
  void session_cookieFromPostAuthenticates() throws Exception {
    try (Server server = Server.start(options(Optional.of("boss:secret"), Optional.empty()), System.out)) {
      HttpResponse<String> login = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + server.port() + "/_session"))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("name=boss&password=secret")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(login.statusCode()).isEqualTo(200);
      String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
      assertThat(cookie).startsWith("AuthSession=");
      String value = cookie.substring(0, cookie.indexOf(';'));
      HttpResponse<String> dbs = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + server.port() + "/_all_dbs")).header("Cookie", value).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(dbs.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void restart_keepsServerIdAndAdmin() throws Exception {
    String first;
    try (Server server = Server.start(options(Optional.of("boss:secret"), Optional.empty()), System.out)) {
      first = json.readTree(get(server, "/", null).body()).get("uuid").asText();
    }
    try (Server server = Server.start(options(Optional.empty(), Optional.empty()), System.out)) {
      assertThat(json.readTree(get(server, "/", null).body()).get("uuid").asText()).isEqualTo(first);
      assertThat(get(server, "/_all_dbs", basic("boss", "secret")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void firstStartWithoutAdmin_printsAGeneratedPasswordOnce() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    String password;
    try (Server server = Server.start(options(Optional.empty(), Optional.empty()),
        new PrintStream(printed, true, StandardCharsets.UTF_8))) {
      Matcher m = Pattern.compile("Name: admin\\s+Password: (\\S+)").matcher(printed.toString(StandardCharsets.UTF_8));
      assertThat(m.find()).isTrue();
      password = m.group(1);
      assertThat(get(server, "/_all_dbs", basic("admin", password)).statusCode()).isEqualTo(200);
    }
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    try (Server server = Server.start(options(Optional.empty(), Optional.empty()),
        new PrintStream(again, true, StandardCharsets.UTF_8))) {
      assertThat(again.toString(StandardCharsets.UTF_8)).doesNotContain("Password");
      assertThat(get(server, "/_all_dbs", basic("admin", password)).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void concurrentFirstStarts_createOneAdminAndPrintOnlyItsPassword() throws Exception {
    // Several processes behind a load balancer, started at once on one empty storage: they must
    // not each create an admin (the later ones would replace the password the first printed, or
    // fail to start).
    int servers = 3;
    for (int round = 0; round < 4; round++) {
      Path roundDir = dir.resolve("round" + round);
      ServeOptions shared = new ServeOptions("127.0.0.1", 0, roundDir, Optional.empty(), Optional.empty(), Map.of());
      java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(servers);
      List<ByteArrayOutputStream> consoles = new java.util.ArrayList<>();
      List<java.util.concurrent.Future<Server>> starts = new java.util.ArrayList<>();
      try (var pool = java.util.concurrent.Executors.newFixedThreadPool(servers)) {
        for (int i = 0; i < servers; i++) {
          ByteArrayOutputStream console = new ByteArrayOutputStream();
          consoles.add(console);
          starts.add(pool.submit(() -> {
            together.await();
            return Server.start(shared, new PrintStream(console, true, StandardCharsets.UTF_8));
          }));
        }
      }
      List<Server> started = new java.util.ArrayList<>();
      List<Throwable> failed = new java.util.ArrayList<>();
      for (var start : starts) {
        try {
          started.add(start.get());
        } catch (java.util.concurrent.ExecutionException e) {
          failed.add(e.getCause());
        }
      }
      try {
        assertThat(failed).as("round %d: failed starts", round).isEmpty();
        List<String> passwords = new java.util.ArrayList<>();
        for (ByteArrayOutputStream console : consoles) {
          Matcher m = Pattern.compile("Name: admin\\s+Password: (\\S+)").matcher(console.toString(StandardCharsets.UTF_8));
          if (m.find()) {
            passwords.add(m.group(1));
          } else {
            // A start that lost the race says so; one that began after the account existed says
            // nothing. Neither prints a password.
            assertThat(console.toString(StandardCharsets.UTF_8)).doesNotContain("Password");
          }
        }
        assertThat(passwords).as("round %d", round).hasSize(1);
        for (Server server : started) {
          assertThat(get(server, "/_all_dbs", basic("admin", passwords.get(0))).statusCode()).isEqualTo(200);
        }
      } finally {
        started.forEach(Server::close);
      }
    }
  }

  @Test
  void unknownScheme_stopsWithoutShowingThePassword() {
    assertThatThrownBy(() -> Server.start(
        options(Optional.of("a:b"), Optional.of("nosuchdb://user:hunter2@db.invalid/x")), System.out))
        .isInstanceOf(StartupException.class)
        .hasMessageContaining("nosuchdb")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
  }

  @Test
  void unreachableDatabase_stopsWithoutShowingThePassword() {
    assertThatThrownBy(() -> Server.start(options(Optional.of("a:b"),
        Optional.of("postgresql://user:hunter2@127.0.0.1:1/polysync?pool.timeout=2000")), System.out))
        .isInstanceOf(StartupException.class)
        .hasMessageContaining("postgresql://user:***@127.0.0.1:1/polysync")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
  }

  @Test
  void malformedAdmin_isRefused() {
    assertThatThrownBy(() -> Server.start(options(Optional.of("nopassword"), Optional.empty()), System.out))
        .isInstanceOf(StartupException.class)
        .hasMessageContaining("NAME:PASSWORD");
  }

  @Test
  void longRequestLine_isAccepted() throws Exception {
    try (Server server = Server.start(options(Optional.of("boss:secret"), Optional.empty()), System.out)) {
      String padding = "a".repeat(10_000);
      HttpResponse<String> res = get(server, "/_all_dbs?padding=" + padding, basic("boss", "secret"));
      assertThat(res.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void storedUser_signsIn_andSeesOnlyDatabasesOpenToIt() throws Exception {
    try (Server server = Server.start(options(Optional.of("boss:secret"), Optional.empty()), System.out)) {
      String boss = basic("boss", "secret");
      HttpResponse<String> signUp = send(server, "PUT", "/_users/org.couchdb.user:alice", null,
          "{\"name\":\"alice\",\"password\":\"pw\",\"roles\":[],\"type\":\"user\"}");
      assertThat(signUp.statusCode()).isEqualTo(201);
      assertThat(send(server, "PUT", "/notes", boss, null).statusCode()).isEqualTo(201);
      String alice = basic("alice", "pw");
      assertThat(send(server, "GET", "/notes", alice, null).statusCode()).isEqualTo(403);
      assertThat(send(server, "PUT", "/notes/_security", boss,
          "{\"members\":{\"names\":[\"alice\"]}}").statusCode()).isEqualTo(200);
      assertThat(send(server, "PUT", "/notes/doc", alice, "{}").statusCode()).isEqualTo(201);
      assertThat(send(server, "GET", "/notes/doc", alice, null).statusCode()).isEqualTo(200);
      HttpResponse<String> session = send(server, "GET", "/_session", alice, null);
      assertThat(json.readTree(session.body()).path("userCtx").path("name").asText()).isEqualTo("alice");
      assertThat(send(server, "GET", "/_all_dbs", alice, null).statusCode()).isEqualTo(403);
    }
  }

  @Test
  void upgrade_movesTheAdminFromTheSystemRecordsIntoTheUserStore() throws Exception {
    try (Server server = Server.start(options(Optional.of("boss:secret"), Optional.empty()), System.out)) {
      assertThat(get(server, "/_all_dbs", basic("boss", "secret")).statusCode()).isEqualTo(200);
    }
    // What an older version stored: the admin only in the system records, in the same hash format.
    String uri = "sqlite:" + dir.resolve("polysync.db");
    try (io.polysync.spi.Storage storage = io.polysync.spi.Storages.open(io.polysync.spi.StorageConfig.of(uri))) {
      storage.namespaces().putMetadata(SystemRecords.NAMESPACE, SystemRecords.ADMIN_NAME, "elder");
      storage.namespaces().putMetadata(SystemRecords.NAMESPACE, SystemRecords.ADMIN_HASH, legacyHash("old-pw"));
    }
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (Server server = Server.start(options(Optional.empty(), Optional.empty()),
        new PrintStream(printed, true, StandardCharsets.UTF_8))) {
      assertThat(get(server, "/_all_dbs", basic("elder", "old-pw")).statusCode()).isEqualTo(200);
      assertThat(get(server, "/_all_dbs", basic("elder", "wrong")).statusCode()).isEqualTo(401);
      assertThat(printed.toString(StandardCharsets.UTF_8)).doesNotContain("Password");
    }
    try (io.polysync.spi.Storage storage = io.polysync.spi.Storages.open(io.polysync.spi.StorageConfig.of(uri))) {
      assertThat(storage.namespaces().get(SystemRecords.NAMESPACE).orElseThrow().metadata())
          .doesNotContainKey(SystemRecords.ADMIN_HASH);
    }
  }

  @Test
  void firstStart_createsAnOwnerOnlyKeyFile_andSealsTheServersRecords() throws Exception {
    try (Server server = Server.start(options(Optional.of("boss:secret"), Optional.empty()), System.out)) {
      assertThat(get(server, "/_all_dbs", basic("boss", "secret")).statusCode()).isEqualTo(200);
    }
    Path key = dir.resolve("polysync.key");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    String uri = "sqlite:" + dir.resolve("polysync.db");
    try (io.polysync.spi.Storage storage = io.polysync.spi.Storages.open(io.polysync.spi.StorageConfig.of(uri))) {
      Map<String, String> records = storage.namespaces().get(SystemRecords.NAMESPACE).orElseThrow().metadata();
      assertThat(records.get(SystemRecords.SESSION_KEY)).startsWith("polysync-sealed:");
    }
  }

  @Test
  void restartWithAnotherKey_refusesToStart_sayingWhichKeyIsMissing() throws Exception {
    try (Server server = Server.start(options(Optional.of("boss:secret"), Optional.empty()), System.out)) {
      assertThat(get(server, "/", null).statusCode()).isEqualTo(200);
    }
    Path other = dir.resolve("other.key");
    ServeOptions withOther = options(Optional.of("boss:secret"), Optional.empty())
        .withKeys(new KeyOptions(true, "file", Optional.of(other)));
    assertThatThrownBy(() -> Server.start(withOther, System.out))
        .isInstanceOf(StartupException.class)
        .hasMessageContaining("does not hold");
  }

  @Test
  void encryptionOff_storesClear_andStillReadsWhatWasSealed() throws Exception {
    try (Server server = Server.start(options(Optional.of("boss:secret"), Optional.empty()), System.out)) {
      assertThat(send(server, "PUT", "/notes", basic("boss", "secret"), null).statusCode()).isEqualTo(201);
      assertThat(send(server, "PUT", "/notes/sealed", basic("boss", "secret"), "{\"v\":\"SEALED-VALUE\"}")
          .statusCode()).isEqualTo(201);
    }
    ServeOptions off = options(Optional.of("boss:secret"), Optional.empty())
        .withKeys(new KeyOptions(false, "auto", Optional.empty()));
    try (Server server = Server.start(off, System.out)) {
      assertThat(get(server, "/notes/sealed", basic("boss", "secret")).body()).contains("SEALED-VALUE");
      assertThat(send(server, "PUT", "/notes/clear", basic("boss", "secret"), "{\"v\":\"CLEAR-VALUE\"}")
          .statusCode()).isEqualTo(201);
    }
    byte[] file = java.nio.file.Files.readAllBytes(dir.resolve("polysync.db"));
    byte[] wal = java.nio.file.Files.exists(dir.resolve("polysync.db-wal"))
        ? java.nio.file.Files.readAllBytes(dir.resolve("polysync.db-wal")) : new byte[0];
    String raw = new String(file, StandardCharsets.ISO_8859_1) + new String(wal, StandardCharsets.ISO_8859_1);
    assertThat(raw).contains("CLEAR-VALUE").doesNotContain("SEALED-VALUE");
  }

  @Test
  void turningEncryptionOn_sealsTheServerRecordsAndUserRecordsWrittenInClear() throws Exception {
    ServeOptions off = options(Optional.of("boss:secret"), Optional.empty())
        .withKeys(new KeyOptions(false, "auto", Optional.empty()));
    String uuid;
    try (Server server = Server.start(off, System.out)) {
      uuid = json.readTree(get(server, "/", null).body()).get("uuid").asText();
      assertThat(send(server, "PUT", "/_users/org.couchdb.user:alice", null,
          "{\"name\":\"alice\",\"password\":\"pw\",\"roles\":[],\"type\":\"user\"}").statusCode())
          .isEqualTo(201);
    }
    String uri = "sqlite:" + dir.resolve("polysync.db");
    try (io.polysync.spi.Storage storage = io.polysync.spi.Storages.open(io.polysync.spi.StorageConfig.of(uri))) {
      assertThat(storage.namespaces().get(SystemRecords.NAMESPACE).orElseThrow().metadata()
          .get(SystemRecords.SESSION_KEY)).doesNotStartWith("polysync-sealed:");
      assertThat(storage.locals().get("_users", "alice").orElseThrow().body()[0]).isEqualTo((byte) '{');
    }

    try (Server server = Server.start(options(Optional.empty(), Optional.empty()), System.out)) {
      assertThat(json.readTree(get(server, "/", null).body()).get("uuid").asText()).isEqualTo(uuid);
      assertThat(json.readTree(get(server, "/_session", basic("alice", "pw")).body()).at("/userCtx/name").asText())
          .isEqualTo("alice");
      assertThat(get(server, "/_all_dbs", basic("boss", "secret")).statusCode()).isEqualTo(200);
    }
    try (io.polysync.spi.Storage storage = io.polysync.spi.Storages.open(io.polysync.spi.StorageConfig.of(uri))) {
      Map<String, String> records = storage.namespaces().get(SystemRecords.NAMESPACE).orElseThrow().metadata();
      assertThat(records.get(SystemRecords.SESSION_KEY)).startsWith("polysync-sealed:");
      assertThat(records.get(SystemRecords.SERVER_ID)).startsWith("polysync-sealed:");
      assertThat(storage.locals().get("_users", "alice").orElseThrow().body()[0]).isEqualTo((byte) 2);
      assertThat(storage.locals().get("_users", "boss").orElseThrow().body()[0]).isEqualTo((byte) 2);
    }
  }

  @Test
  void encryptionOff_withoutAnyKey_startsWithoutCreatingAKeyFile() throws Exception {
    ServeOptions off = options(Optional.of("boss:secret"), Optional.empty())
        .withKeys(new KeyOptions(false, "auto", Optional.empty()));
    try (Server server = Server.start(off, System.out)) {
      assertThat(get(server, "/_all_dbs", basic("boss", "secret")).statusCode()).isEqualTo(200);
    }
    assertThat(dir.resolve("polysync.key")).doesNotExist();
  }

  @Test
  void unknownKeyProvider_isRefusedNamingTheKnownOnes() {
    ServeOptions odd = options(Optional.of("boss:secret"), Optional.empty())
        .withKeys(new KeyOptions(true, "vault", Optional.empty()));
    assertThatThrownBy(() -> Server.start(odd, System.out))
        .isInstanceOf(StartupException.class)
        .hasMessageContaining("vault").hasMessageContaining("file, env");
  }

  /** The stored format of the earlier admin account: {@code pbkdf2-sha256$ITERATIONS$SALT$HASH}. */
  private static String legacyHash(String password) throws Exception {
    byte[] salt = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    javax.crypto.spec.PBEKeySpec spec = new javax.crypto.spec.PBEKeySpec(password.toCharArray(), salt, 1000, 256);
    byte[] hash = javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    return "pbkdf2-sha256$1000$" + Base64.getEncoder().encodeToString(salt) + "$"
        + Base64.getEncoder().encodeToString(hash);
  }

  private HttpResponse<String> send(Server server, String method, String path, String authorization, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
