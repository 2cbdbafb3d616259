package io.polysync.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** polysync-VERSION.tar.gz unpacked and run through its bin/polysync. */
final class ArchiveIT {
  private static final String JAVA_HOME = System.getProperty("java.home");

  @TempDir static Path unpacked;
  static Path home;

  @TempDir Path dir;

  @BeforeAll
  static void unpack() throws Exception {
    Path archive = Path.of(System.getProperty("polysync.archive", ""));
    assertThat(archive).as("the archive the package phase built").isRegularFile();
    Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", unpacked.toString())
        .redirectErrorStream(true).start();
    String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(tar.waitFor()).as("tar: %s", out).isZero();
    try (Stream<Path> top = Files.list(unpacked)) {
      List<Path> dirs = top.toList();
      assertThat(dirs).as("one top directory").hasSize(1);
      home = dirs.getFirst();
    }
  }

  @Test
  void layout_hasLauncherEveryModuleAndConfiguration() throws IOException {
    assertThat(home.getFileName().toString()).matches("polysync-\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    assertThat(Files.getPosixFilePermissions(home.resolve("bin/polysync")))
        .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
    assertThat(home.resolve("lib/find-java.sh")).isRegularFile();
    assertThat(home.resolve("conf/polysync.env")).content().contains("POLYSYNC_STORAGE=");
    assertThat(home.resolve("systemd/polysync.service")).content()
        .contains("ExecStart=/opt/polysync/bin/polysync serve", "NoNewPrivileges=true", "ProtectSystem=strict");
    assertThat(home.resolve("LICENSE")).content().contains("Apache License");
    assertThat(home.resolve("README.md")).isRegularFile();
    try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
      List<String> jars = lib.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).toList();
      // The server, every plugin module, and what they need at run time (JSON, JDBC drivers).
      for (String module : List.of("bootstrap", "sync-spi", "sync-engine", "protocol-spi", "adapter-sql",
          "adapter-redis", "adapter-mongo", "protocol-couch", "protocol-kinto", "jackson-databind", "sqlite-jdbc",
          "postgresql", "mariadb-java-client", "lettuce-core", "mongodb-driver-sync", "slf4j-simple")) {
        assertThat(jars).as("lib/ holds %s", module).anyMatch(n -> n.matches(module + "-\\d.*\\.jar"));
      }
      assertThat(jars).as("no test code").noneMatch(n -> n.contains("junit") || n.contains("assertj")
          || n.contains("tests.jar") || n.contains("mongo-java-server"));
    }
  }

  @Test
  void systemdUnit_passesSystemdAnalyzeWithoutAWarning() throws Exception {
    Path analyze = Stream.of("/usr/bin/systemd-analyze", "/bin/systemd-analyze").map(Path::of)
        .filter(Files::isExecutable).findFirst().orElse(null);
    assumeTrue(analyze != null, "systemd-analyze is not installed");
    // The unit as installed, but running the launcher of this unpacked archive.
    Path unit = dir.resolve("polysync.service");
    Files.writeString(unit, Files.readString(home.resolve("systemd/polysync.service"))
        .replace("/opt/polysync/bin/polysync", home.resolve("bin/polysync").toString()));

    Process verify = new ProcessBuilder(analyze.toString(), "verify", unit.toString()).redirectErrorStream(true).start();
    String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(verify.waitFor()).as(output).isZero();
    assertThat(output).as("unknown keys and bad values are only warned about").isBlank();
  }

  @Test
  @Timeout(180)
  void serve_withDataDirectory_answersWelcomeAndStoresThere() throws Exception {
    int port = ServerProcess.freePort();
    Path data = dir.resolve("data");
    ProcessBuilder command = new ProcessBuilder(home.resolve("bin/polysync").toString(), "serve",
        "--port", Integer.toString(port), "--data", data.toString(), "--admin", "admin:archive-test");
    command.environment().put("JAVA_HOME", JAVA_HOME);
    try (ServerProcess server = ServerProcess.start(command, dir.resolve("server.log"), port)) {
      JsonNode welcome = server.welcome();
      assertThat(welcome.path("couchdb").asText()).isEqualTo("Welcome");
      assertThat(welcome.path("vendor").path("name").asText()).isEqualTo("Polysync");
      assertThat(data.resolve("polysync.db")).isRegularFile();
    }
  }

  @Test
  void launcher_skipsOldJavaOnPath_andRunsOnAJavaRuntimeWithoutCompiler() throws Exception {
    String runtime = System.getProperty("polysync.runtime", "");
    assumeTrue(!runtime.isEmpty() && Files.isExecutable(Path.of(runtime, "bin/java")),
        "the jlink runtime of the image is built on Linux only");
    assertThat(Path.of(runtime, "bin/javac")).doesNotExist();
    Path places = Files.createDirectories(dir.resolve("places"));
    Path link = Files.createSymbolicLink(places.resolve("runtime"), Path.of(runtime));

    Result result;
    try {
      result = launch(List.of("--version"), Map.of("POLYSYNC_JAVA_PLACES", places.toString()));
    } finally {
      Files.delete(link);
    }

    assertThat(result.status()).as(result.output()).isZero();
    assertThat(result.output()).contains("Polysync");
  }

  @Test
  void runtimeArchive_runsOnItsOwnJavaWhenNoneIsInstalled() throws Exception {
    String archive = System.getProperty("polysync.runtime.archive", "");
    assumeTrue(!archive.isEmpty() && !Boolean.getBoolean("jib.skip"),
        "the archive with a Java runtime is built on Linux only");
    Path into = Files.createDirectories(dir.resolve("with-runtime"));
    Process tar = new ProcessBuilder("tar", "-xzf", archive, "-C", into.toString()).redirectErrorStream(true).start();
    String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(tar.waitFor()).as("tar: %s", out).isZero();
    Path withRuntime = into.resolve(home.getFileName());
    assertThat(withRuntime.resolve("runtime/bin/java")).isExecutable();
    assertThat(withRuntime.resolve("lib/bootstrap-" + home.getFileName().toString().substring("polysync-".length())
        + ".jar")).isRegularFile();

    Result result = launch(withRuntime, List.of("--version"),
        Map.of("POLYSYNC_JAVA_PLACES", dir.resolve("nothing").toString()));

    assertThat(result.status()).as(result.output()).isZero();
    assertThat(result.output()).contains("Polysync");
  }

  @Test
  void launcher_withoutJava21_failsNamingWhatItFound() throws Exception {
    Result result = launch(List.of("serve"), Map.of("POLYSYNC_JAVA_PLACES", dir.resolve("nothing").toString()));

    assertThat(result.status()).isEqualTo(1);
    assertThat(result.output())
        .contains("Polysync needs Java 21 or newer (a JDK or a JRE), and none was found.")
        .contains("java on PATH: " + dir.resolve("old-java") + " (17.0.12)")
        .contains("or point JAVA_HOME at a Java 21+");
  }

  private record Result(int status, String output) {}

  /**
   * Runs bin/polysync with no JAVA_HOME and, first on PATH, a {@code java} that is a Java 17: the
   * launcher must look past it.
   */
  private Result launch(List<String> args, Map<String, String> env) throws Exception {
    return launch(home, args, env);
  }

  private Result launch(Path home, List<String> args, Map<String, String> env) throws Exception {
    Path old = dir.resolve("old-java");
    Files.createDirectories(old.resolve("bin"));
    Files.writeString(old.resolve("release"), "JAVA_VERSION=\"17.0.12\"\n");
    Path java = old.resolve("bin/java");
    Files.writeString(java, "#!/bin/sh\necho '    java.home = " + old + "' >&2\necho 'openjdk version \"17.0.12\"' >&2\n");
    java.toFile().setExecutable(true);

    ProcessBuilder command = new ProcessBuilder(Stream.concat(
        Stream.of(home.resolve("bin/polysync").toString()), args.stream()).toList());
    command.environment().remove("JAVA_HOME");
    command.environment().put("PATH", old.resolve("bin") + ":/usr/bin:/bin");
    command.environment().putAll(env);
    command.redirectErrorStream(true);
    Process process = command.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(process.waitFor(), output);
  }
}
