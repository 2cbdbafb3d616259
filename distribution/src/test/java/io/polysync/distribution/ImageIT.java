package io.polysync.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI image tarball Jib built, without a container engine: its manifest and configuration
 * read, its layers unpacked into a directory, and its entrypoint run from there with the image's
 * own Java runtime, every absolute path of the image moved under that directory.
 */
final class ImageIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String UID = "10001";

  @TempDir static Path work;
  static JsonNode config;
  static List<String> layers;
  static Path root;

  @TempDir Path dir;

  @BeforeAll
  static void unpack() throws Exception {
    String image = System.getProperty("polysync.image", "");
    assumeTrue(!image.isEmpty(), "the OCI image is built on Linux only");
    assumeFalse(Boolean.getBoolean("jib.skip"), "the OCI image was not built (-Djib.skip)");
    assertThat(Path.of(image)).as("the image tarball the package phase built").isRegularFile();
    Path tarball = Files.createDirectories(work.resolve("tarball"));
    tar("-xf", image, "-C", tarball.toString());

    JsonNode manifest = JSON.readTree(tarball.resolve("manifest.json").toFile());
    assertThat(manifest).hasSize(1);
    assertThat(manifest.get(0).path("RepoTags").get(0).asText()).startsWith("polysync:");
    config = JSON.readTree(tarball.resolve(manifest.get(0).path("Config").asText()).toFile());
    layers = new ArrayList<>();
    manifest.get(0).path("Layers").forEach(l -> layers.add(tarball.resolve(l.asText()).toString()));

    root = Files.createDirectories(work.resolve("root"));
    for (String layer : layers) {
      // As a container engine does: in order, later layers over earlier ones; owners are kept
      // only when the test runs as root.
      tar("-xzf", layer, "-C", root.toString(), "--warning=no-unknown-keyword");
    }
  }

  @Test
  void config_runsTheServerAsNonRootOnPort5984WithDataInVolume() {
    JsonNode c = config.path("config");
    assertThat(config.path("os").asText()).isEqualTo("linux");
    assertThat(config.path("rootfs").path("diff_ids")).hasSameSizeAs(layers);
    assertThat(strings(c.path("Entrypoint"))).startsWith("java", "--enable-native-access=ALL-UNNAMED")
        .endsWith("io.polysync.bootstrap.Main");
    assertThat(strings(c.path("Cmd"))).containsExactly("serve");
    assertThat(c.path("User").asText()).isEqualTo(UID + ":" + UID);
    assertThat(c.path("ExposedPorts").has("5984/tcp")).isTrue();
    assertThat(c.path("Volumes").has("/data")).isTrue();
    assertThat(env()).containsEntry("POLYSYNC_HOST", "0.0.0.0").containsEntry("POLYSYNC_DATA", "/data")
        .containsEntry("JAVA_HOME", "/opt/java");
  }

  @Test
  void layers_holdAJavaRuntimeItsLibrariesAndADataDirectoryOwnedByTheUser() throws Exception {
    assertThat(root.resolve("opt/java/bin/java")).isExecutable();
    assertThat(root.resolve("opt/java/bin/javac")).as("a runtime, not a JDK").doesNotExist();
    assertThat(root.resolve("opt/java/release")).content().contains("JAVA_VERSION=");
    assertThat(root.resolve("etc/passwd")).content().contains("polysync:x:" + UID + ":" + UID + ":");
    try (var libs = Files.walk(root)) {
      assertThat(libs.map(p -> p.getFileName() == null ? "" : p.getFileName().toString()))
          .as("the C library and its loader, which the runtime links against")
          .contains("libc.so.6").anyMatch(n -> n.startsWith("ld-linux"));
    }
    String listing = layers.stream().map(l -> {
      try {
        return tar("-tvzf", l, "--warning=no-unknown-keyword");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }).collect(Collectors.joining());
    assertThat(listing.lines().filter(line -> line.endsWith(" ./data/") || line.endsWith(" data/")))
        .as("/data, owned by the image's user so a fresh volume there is writable")
        .singleElement().asString().contains(UID + "/" + UID);
  }

  @Test
  @Timeout(180)
  void entrypoint_runFromTheLayers_answersWelcomeAndWritesToData() throws Exception {
    Map<String, String> env = env();
    List<String> entrypoint = strings(config.path("config").path("Entrypoint"));
    List<String> command = new ArrayList<>();
    command.add(onPath(env.get("PATH"), entrypoint.getFirst()).toString());
    for (String arg : entrypoint.subList(1, entrypoint.size())) {
      command.add(rewrite(arg));
    }
    strings(config.path("config").path("Cmd")).forEach(command::add);

    ProcessBuilder process = new ProcessBuilder(command);
    process.environment().clear();
    env.forEach((name, value) -> process.environment().put(name, rewriteEnv(value)));
    int port = ServerProcess.freePort();
    process.environment().put("POLYSYNC_PORT", Integer.toString(port));
    // The image listens on every interface; here the loopback one is enough.
    process.environment().put("POLYSYNC_HOST", "127.0.0.1");
    process.environment().put("POLYSYNC_ADMIN", "admin:image-test");
    Path data = Path.of(process.environment().get("POLYSYNC_DATA"));
    assertThat(data).isEqualTo(root.resolve("data"));
    process.directory(root.resolve(config.path("config").path("WorkingDir").asText("/").substring(1)).toFile());

    try (ServerProcess server = ServerProcess.start(process, dir.resolve("server.log"), port)) {
      JsonNode welcome = server.welcome();
      assertThat(welcome.path("couchdb").asText()).isEqualTo("Welcome");
      assertThat(welcome.path("vendor").path("name").asText()).isEqualTo("Polysync");
      assertThat(data.resolve("polysync.db")).as(server.output()).isRegularFile();
      assertThat(data.resolve("polysync.key")).isRegularFile();
    }
  }

  /** The executable {@code name} on the image's PATH, inside the unpacked root. */
  private static Path onPath(String path, String name) {
    assertThat(path).as("the image's PATH").isNotNull();
    return Arrays.stream(path.split(":"))
        .map(d -> root.resolve(d.substring(1)).resolve(name))
        .filter(Files::isExecutable)
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " is not on the image's PATH " + path));
  }

  /**
   * An entrypoint argument with the image's paths under the unpacked root: {@code @FILE} (Jib's
   * class path file) is read and its entries moved; an absolute path is moved.
   */
  private static String rewrite(String arg) throws IOException {
    if (arg.startsWith("@/")) {
      String content = Files.readString(root.resolve(arg.substring(2)), StandardCharsets.UTF_8).strip();
      return rewriteEnv(content);
    }
    return arg.startsWith("/") ? root.resolve(arg.substring(1)).toString() : arg;
  }

  /** A colon-separated value whose absolute entries are moved under the unpacked root. */
  private static String rewriteEnv(String value) {
    return Arrays.stream(value.split(":", -1))
        .map(v -> v.startsWith("/") ? root.resolve(v.substring(1)).toString() : v)
        .collect(Collectors.joining(":"));
  }

  private static Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    config.path("config").path("Env").forEach(e -> {
      String[] kv = e.asText().split("=", 2);
      env.put(kv[0], kv[1]);
    });
    return env;
  }

  private static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }

  private static String tar(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("tar"));
    command.addAll(List.of(args));
    Process tar = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(tar.waitFor()).as("%s: %s", command, out).isZero();
    return out;
  }
}
