package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A server started from a {@code polysync.yaml}, as {@code polysync serve} gathers it. */
final class ConfigurationStartTest {
  // Held, so that the levels are not lost with a collected logger.
  private static final java.util.logging.Logger HELIDON = java.util.logging.Logger.getLogger("io.helidon");
  private static final java.util.logging.Logger POLYSYNC = java.util.logging.Logger.getLogger("io.polysync");

  static {
    HELIDON.setLevel(java.util.logging.Level.WARNING);
    POLYSYNC.setLevel(java.util.logging.Level.WARNING);
  }

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private HttpResponse<String> get(Server server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
            "boss:s3cret".getBytes(StandardCharsets.UTF_8)))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void serve_fromAYamlFile_withASecretFile_andFrontEndSettings() throws Exception {
    Path admin = Files.writeString(dir.resolve("admin.secret"), "boss:s3cret\n");
    Files.writeString(dir.resolve("polysync.yaml"), """
        server:
          host: 127.0.0.1
          port: 0
        data: %s
        admin-file: %s
        kinto:
          backoff: 7
        couch:
          server_timing: on
        """.formatted(dir.resolve("data"), admin));
    Main main = new Main(System.out, System.err, Map.of(), dir);
    new CommandLine(main).parseArgs();
    ServeOptions options = main.configuration().serveOptions();

    try (Server server = Server.start(options, System.out)) {
      HttpResponse<String> root = get(server, "/");
      assertThat(root.statusCode()).isEqualTo(200);
      assertThat(root.body()).contains("\"couchdb\"");
      // couch.server_timing from the file, normalised from "on"
      assertThat(root.headers().firstValue("Server-Timing")).isPresent();
      // the admin from admin-file, its line end dropped
      assertThat(get(server, "/_session").body()).contains("\"name\":\"boss\"").contains("_admin");
      // kinto.backoff from the file reaches the Kinto front-end
      assertThat(get(server, "/v1/").headers().firstValue("Backoff")).contains("7");
    }
    assertThat(dir.resolve("data/polysync.db")).exists();
    assertThat(dir.resolve("data/polysync.key")).exists();
  }

  @Test
  void serve_withAMisspeltKey_printsTheSuggestionAndExits2_beforeOpeningAnything() throws Exception {
    Files.writeString(dir.resolve("polysync.yaml"), "data: " + dir.resolve("data") + "\nkinto:\n  backof: 7\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = new CommandLine(new Main(System.out, new PrintStream(err, true, StandardCharsets.UTF_8),
        Map.of("POLYSYNC_PORT", "0"), dir)).execute();
    assertThat(status).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo("polysync: unknown key 'kinto.backof' in polysync.yaml; did you mean 'kinto.backoff'?\n");
    assertThat(dir.resolve("data")).doesNotExist();
  }
}
