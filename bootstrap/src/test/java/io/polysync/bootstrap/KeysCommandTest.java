package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.polysync.engine.KeyProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code polysync keys}: rotation while a server runs on the same SQLite file and key file. */
final class KeysCommandTest {
  static {
    java.util.logging.Logger.getLogger("io.helidon").setLevel(java.util.logging.Level.WARNING);
    java.util.logging.Logger.getLogger("io.polysync").setLevel(java.util.logging.Level.WARNING);
  }

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int keys(String... args) {
    return new KeysCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
  }

  private Server start() {
    return Server.start(new ServeOptions("127.0.0.1", 0, dir, Optional.of("boss:secret"), Optional.empty(),
        Map.of()), System.out);
  }

  private HttpResponse<String> send(Server server, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("boss:secret".getBytes()))
        .header("Content-Type", "application/json");
    return http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private List<String> keyLines() throws Exception {
    return Files.readAllLines(dir.resolve("polysync.key")).stream()
        .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
  }

  @Test
  void rotate_whileTheServerRuns_rewrapsEverything_dropsTheOldKey_dataStaysReadable() throws Exception {
    String oldKey;
    try (Server server = start()) {
      assertThat(send(server, "PUT", "/notes", null).statusCode()).isEqualTo(201);
      assertThat(send(server, "PUT", "/notes/a", "{\"v\":1}").statusCode()).isEqualTo(201);
      oldKey = keyLines().get(0);

      assertThat(keys("rotate", "--data", dir.toString(), "--grace", "1")).as(err.toString()).isZero();

      List<String> now = keyLines();
      assertThat(now).hasSize(1).doesNotContain(oldKey);
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("Removed the older keys [" + KeyProvider.keyId(oldKey));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("polysync.key"))))
          .isEqualTo("rw-------");
      // The running server keeps its unwrapped data keys, and wraps new ones under the new key.
      assertThat(send(server, "GET", "/notes/a", null).statusCode()).isEqualTo(200);
      assertThat(send(server, "PUT", "/second", null).statusCode()).isEqualTo(201);
      assertThat(send(server, "PUT", "/second/b", "{\"v\":2}").statusCode()).isEqualTo(201);
    }
    try (Server server = start()) {
      assertThat(new ObjectMapper().readTree(send(server, "GET", "/notes/a", null).body()).get("v").asInt())
          .isEqualTo(1);
      assertThat(send(server, "GET", "/second/b", null).statusCode()).isEqualTo(200);
    }
    out.reset();
    assertThat(keys("status", "--data", dir.toString())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern(KeyProvider.keyId(keyLines().get(0)) + ": \\d+ \\(current\\)")
        .doesNotContain(KeyProvider.keyId(oldKey));
  }

  @Test
  void rotate_withoutAKeyFile_refusesAndCreatesNone() {
    assertThat(keys("rotate", "--data", dir.toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("no key file");
    assertThat(dir.resolve("polysync.key")).doesNotExist();
  }

  @Test
  void rotate_keepOld_keepsBothKeys() throws Exception {
    try (Server server = start()) {
      assertThat(send(server, "PUT", "/notes", null).statusCode()).isEqualTo(201);
    }
    String oldKey = keyLines().get(0);
    assertThat(keys("rotate", "--data", dir.toString(), "--grace", "0", "--keep-old")).isZero();
    assertThat(keyLines()).hasSize(2).endsWith(oldKey);
  }

  @Test
  void status_readsTheServersConfiguration_fileEnvironmentAndFlags() throws Exception {
    try (Server server = start()) {
      assertThat(send(server, "PUT", "/notes", null).statusCode()).isEqualTo(201);
      assertThat(send(server, "PUT", "/notes/a", "{\"v\":1}").statusCode()).isEqualTo(201);
    }
    Path work = Files.createDirectory(dir.resolve("work"));
    Files.writeString(work.resolve("polysync.yaml"), "data: " + dir + "\n");
    String id = KeyProvider.keyId(keyLines().get(0));
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);

    assertThat(new KeysCommand(o, e, Map.of(), work).execute("status")).as(err.toString()).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("current key-encryption key: " + id);

    // The environment outranks the file, as for serve: here it points at a key file that does not exist.
    assertThat(new KeysCommand(o, e, Map.of("POLYSYNC_KEY_FILE", dir.resolve("none.key").toString()), work)
        .execute("status")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("there is no key file at " + dir.resolve("none.key"));

    Files.writeString(work.resolve("polysync.yaml"), "dta: " + dir + "\n");
    assertThat(new KeysCommand(o, e, Map.of(), work).execute("status", "--data", dir.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("polysync keys status: unknown key 'dta' in polysync.yaml; did you mean 'data'?");
  }

  @Test
  void generate_printsAKeyAndItsId() {
    assertThat(keys("generate")).isZero();
    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(Base64.getDecoder().decode(lines[0].strip())).hasSize(32);
    assertThat(lines[1].strip()).isEqualTo("id " + KeyProvider.keyId(lines[0].strip()));
  }
}
