package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polysync.engine.KeyProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Where {@code polysync serve}'s configuration comes from, and what it refuses. */
final class ConfigLoaderTest {
  @TempDir Path dir;

  /** Parses {@code args} as {@code polysync serve} would, then gathers the configuration. */
  private Configuration load(Map<String, String> environment, String... args) {
    Main main = new Main(System.out, System.err, environment, dir);
    new CommandLine(main).parseArgs(args);
    return main.configuration();
  }

  private Path yaml(String text) throws Exception {
    return Files.writeString(dir.resolve("polysync.yaml"), text);
  }

  private static String problems(Runnable r) {
    try {
      r.run();
    } catch (ConfigException e) {
      return String.join("\n", e.problems());
    }
    throw new AssertionError("no ConfigException");
  }

  @Test
  void precedence_flagBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
    yaml("""
        server:
          port: 1001
          host: 10.0.0.1
        kinto:
          backoff: 7
        data: from-file
        """);
    Map<String, String> env = Map.of("POLYSYNC_SERVER_PORT", "1002", "POLYSYNC_SERVER_HOST", "10.0.0.2",
        "POLYSYNC_DATA", "from-env");

    Configuration c = load(env, "--port", "1003");

    assertThat(c.value("server.port")).contains("1003");
    assertThat(c.origin("server.port")).contains("--port");
    assertThat(c.value("server.host")).contains("10.0.0.2");
    assertThat(c.origin("server.host")).contains("POLYSYNC_SERVER_HOST");
    assertThat(c.value("data")).contains("from-env");
    assertThat(c.value("kinto.backoff")).contains("7");
    assertThat(c.origin("kinto.backoff")).contains("polysync.yaml");
    assertThat(c.value("couch.max_http_request_size")).contains("268435456");
    assertThat(c.origin("couch.max_http_request_size")).contains("default");
    assertThat(c.value("admin")).isEmpty();

    // Without the flag the environment wins; without either, the file.
    assertThat(load(env).value("server.port")).contains("1002");
    assertThat(load(Map.of()).value("server.port")).contains("1001");
    assertThat(load(Map.of()).value("server.host")).contains("10.0.0.1");
  }

  @Test
  void environment_legacyNamesStillWork_andTwoNamesForOneKeyMustAgree() {
    Configuration c = load(Map.of("POLYSYNC_PORT", "7000", "POLYSYNC_STORAGE", "h2:./scratch/x",
        "POLYSYNC_ENCRYPTION", "off", "POLYSYNC_MAX_DOCUMENT_SIZE", "1000", "POLYSYNC_KEY_FILE", "k.key"));
    assertThat(c.value("server.port")).contains("7000");
    assertThat(c.value("storage.uri")).contains("h2:./scratch/x");
    assertThat(c.value("encryption.enabled")).contains("false");
    assertThat(c.value("couch.max_document_size")).contains("1000");
    assertThat(c.path("encryption.key-file")).contains(Path.of("k.key"));

    assertThat(load(Map.of("POLYSYNC_PORT", "7000", "POLYSYNC_SERVER_PORT", "7000")).value("server.port"))
        .contains("7000");
    assertThat(problems(() -> load(Map.of("POLYSYNC_PORT", "7000", "POLYSYNC_SERVER_PORT", "7001"))))
        .contains("POLYSYNC_PORT and POLYSYNC_SERVER_PORT both set server.port; give one");
  }

  @Test
  void flags_settingTakesAnyKey_andTheOldSettingsStillReachTheFrontEnds() {
    Configuration c = load(Map.of(), "--setting", "kinto.history=true", "--setting", "couch.server_timing=on",
        "--cors-origins", "https://a.example", "--max-document-size", "1234");
    Map<String, String> settings = c.frontEndSettings();
    assertThat(settings).containsEntry("kinto.history", "true")
        .containsEntry("couch.server_timing", "true") // normalised: the front-ends parse "on" as false
        .containsEntry("couch.max_document_size", "1234")
        .containsEntry("couch.cors.origins", "https://a.example")
        .containsEntry("kinto.cors.origins", "https://a.example")
        .containsEntry("kinto.batch_max_requests", "25")
        .doesNotContainKeys("server.port", "kinto.http_base", "kinto.max_request_bytes");
    assertThat(c.origin("kinto.history")).contains("--setting kinto.history");

    assertThat(problems(() -> load(Map.of(), "--setting", "kinto.backof=5")))
        .isEqualTo("unknown key 'kinto.backof' on the command line; did you mean 'kinto.backoff'?");
  }

  @Test
  void booleanFlags_andTheirKeys() throws Exception {
    assertThat(load(Map.of()).bool("tls.self-signed")).isFalse();
    assertThat(load(Map.of(), "--tls-self-signed", "--verbose").bool("tls.self-signed")).isTrue();
    yaml("tls:\n  self-signed: true\nlog:\n  verbose: yes\n");
    Configuration c = load(Map.of());
    assertThat(c.tlsOptions().selfSigned()).isTrue();
    assertThat(c.bool("log.verbose")).isTrue();
  }

  @Test
  void file_listsAreCommaSeparated_dottedAndNestedKeysAlike_andAKeyMayHaveChildren() throws Exception {
    yaml("""
        cors.origins: [https://a.example, https://b.example]
        kinto:
          bucket_create_principals:
            - system.Authenticated
            - account:alice
          history: true
          history.max_age_days: 30
        """);
    Configuration c = load(Map.of());
    assertThat(c.value("cors.origins")).contains("https://a.example,https://b.example");
    assertThat(c.value("kinto.bucket_create_principals")).contains("system.Authenticated,account:alice");
    assertThat(c.value("kinto.history")).contains("true");
    assertThat(c.value("kinto.history.max_age_days")).contains("30");
  }

  @Test
  void file_fromConfigFlag_fromEnvironment_orTheWorkingDirectory() throws Exception {
    Path elsewhere = Files.writeString(dir.resolve("other.yaml"), "server.port: 2001\n");
    Path third = Files.writeString(dir.resolve("third.yaml"), "server.port: 2002\n");
    yaml("server.port: 2003\n");
    assertThat(load(Map.of(), "--config", elsewhere.toString()).value("server.port")).contains("2001");
    assertThat(load(Map.of("POLYSYNC_CONFIG", third.toString()), "--config", elsewhere.toString())
        .value("server.port")).contains("2001");
    assertThat(load(Map.of("POLYSYNC_CONFIG", third.toString())).value("server.port")).contains("2002");
    Configuration implicit = load(Map.of());
    assertThat(implicit.value("server.port")).contains("2003");
    assertThat(implicit.file()).contains(dir.resolve("polysync.yaml"));

    assertThat(problems(() -> load(Map.of(), "--config", "missing.yaml")))
        .isEqualTo("configuration file missing.yaml (--config) does not exist");
    assertThat(problems(() -> load(Map.of("POLYSYNC_CONFIG", "gone.yaml"))))
        .isEqualTo("configuration file gone.yaml (POLYSYNC_CONFIG) does not exist");
  }

  @Test
  void file_emptyOrOnlyComments_givesTheDefaults() throws Exception {
    yaml("");
    assertThat(load(Map.of()).value("server.port")).contains("5984");
    yaml("# nothing set yet\n");
    assertThat(load(Map.of()).value("server.port")).contains("5984");
  }

  @Test
  void file_aDirectoryInstead_isAClearError() throws Exception {
    Files.createDirectory(dir.resolve("conf.d"));
    assertThat(problems(() -> load(Map.of(), "--config", "conf.d")))
        .isEqualTo("configuration file conf.d (--config) is not a file this process can read");
  }

  @Test
  void file_noFileAnywhere_givesTheDefaults() {
    Configuration c = load(Map.of());
    assertThat(c.file()).isEmpty();
    ServeOptions options = c.serveOptions();
    assertThat(options.host()).isEqualTo("127.0.0.1");
    assertThat(options.port()).isEqualTo(5984);
    assertThat(options.dataDir()).isEqualTo(Path.of("./data"));
    assertThat(options.storageUri()).isEmpty();
    assertThat(options.keys()).isEqualTo(new KeyOptions(true, "auto", Optional.empty()));
    assertThat(options.tls()).isEqualTo(TlsOptions.none());
  }

  @Test
  void unknownKeyInFile_namesTheNearestKey() throws Exception {
    yaml("""
        sever:
          port: 5984
        kinto:
          batch_max_request: 10
        storage: sqlite:x.db
        port: 1
        whatever: 1
        """);
    assertThat(problems(() -> load(Map.of())).lines()).containsExactlyInAnyOrder(
        "unknown key 'sever.port' in polysync.yaml; did you mean 'server.port'?",
        "unknown key 'kinto.batch_max_request' in polysync.yaml; did you mean 'kinto.batch_max_requests'?",
        "unknown key 'storage' in polysync.yaml; did you mean 'storage.uri'?",
        "unknown key 'port' in polysync.yaml; did you mean 'server.port'?",
        "unknown key 'whatever' in polysync.yaml (docs/configuration.md lists the keys)");
  }

  @Test
  void unknownKeyInFile_stopsTheStartWithExitStatus2() throws Exception {
    yaml("sever.port: 5984\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = new CommandLine(new Main(System.out, new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(),
        dir)).execute();
    assertThat(status).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo("polysync: unknown key 'sever.port' in polysync.yaml; did you mean 'server.port'?\n");
  }

  @Test
  void unknownEnvironmentVariable_nearMissStops_othersAreOnlyReported() {
    assertThat(problems(() -> load(Map.of("POLYSYNC_PROT", "1", "POLYSYNC_ADMIN_FLE", "/x"))))
        .isEqualTo("""
            unknown environment variable POLYSYNC_ADMIN_FLE; did you mean POLYSYNC_ADMIN_FILE?
            unknown environment variable POLYSYNC_PROT; did you mean POLYSYNC_PORT?""");
    // POLYSYNC_URL is the interop suite's; POLYSYNC_CONFIG names the file; PATH is not ours at all.
    Configuration c = load(Map.of("POLYSYNC_URL", "http://x", "PATH", "/bin"));
    assertThat(c.warnings()).containsExactly("environment variable POLYSYNC_URL is not a Polysync setting; ignored"
        + " (docs/configuration.md lists them)");
  }

  @Test
  void unknownEnvironmentVariable_theInteropSuitesOwnVariables_doNotStopTheServersItStarts() {
    // The suites start servers with their own environment, which holds these.
    Map<String, String> env = new java.util.HashMap<>();
    for (String name : java.util.List.of("URL", "URLS", "AUTH", "RESTART_CMD", "RESTART_URL", "START", "START_CMD",
        "START_CWD", "START_TIMEOUT_MS", "KEEP_TMP", "BACKOFF_URL", "BACKOFF_ARGS", "BACKOFF_SECONDS", "FIGURES",
        "SAMPLES", "DOCS", "DOCUMENTS", "NAMESPACES", "BACKEND")) {
      env.put("POLYSYNC_" + name, "x");
    }
    env.put("POLYSYNC_MASTER_KEY", KeyProvider.generateKey());
    env.put("POLYSYNC_ADMIN", "admin:secret");
    Configuration c = load(env, "--admin", "boss:other");
    assertThat(c.warnings()).hasSize(env.size() - 2);
    assertThat(c.value("admin")).contains("boss:other");
    assertThat(c.keyOptions().resolvedProvider(java.util.List.of())).isEqualTo("env");
  }

  @Test
  void keyProviderEnv_withoutAMasterKey_isAStartupError() {
    KeyOptions keys = load(Map.of("POLYSYNC_KEY_PROVIDER", "env")).keyOptions();
    assertThatThrownBy(() -> keys.keyProvider(dir, getClass().getClassLoader()))
        .isInstanceOf(StartupException.class)
        .hasMessage("the key provider is env but no master key is set (POLYSYNC_MASTER_KEY, POLYSYNC_MASTER_KEY_FILE"
            + " or encryption.master-key)");
  }

  @Test
  void invalidValues_nameTheKeyTheExpectedFormAndTheSource() throws Exception {
    assertThat(problems(() -> load(Map.of(), "--port", "65536")))
        .isEqualTo("server.port: expected a port number 0-65535, got '65536' (from --port)");
    yaml("kinto:\n  http_base: not-a-url\n  batch_max_requests: -1\n");
    assertThat(problems(() -> load(Map.of("POLYSYNC_ENCRYPTION", "maybe"), "--port", "abc",
        "--max-document-size", "0")))
        .isEqualTo("""
            server.port: expected a port number 0-65535, got 'abc' (from --port)
            encryption.enabled: expected true or false (on/off and yes/no also work), got 'maybe' (from POLYSYNC_ENCRYPTION)
            couch.max_document_size: expected a size in bytes, a whole number of 1 or more, got '0' (from --max-document-size)
            kinto.batch_max_requests: expected a whole number, 0 or more, got '-1' (from polysync.yaml)
            kinto.http_base: expected an absolute http:// or https:// URL, got 'not-a-url' (from polysync.yaml)""");
  }

  @Test
  void invalidSecrets_neverShowTheValue() {
    String problems = problems(() -> load(Map.of("POLYSYNC_ADMIN", "no-colon-s3cret",
        "POLYSYNC_MASTER_KEY", "c2VjcmV0LWJ1dC1ub3QtYS1rZXk="), "--storage", "not a uri s3cret"));
    assertThat(problems).isEqualTo("""
        storage.uri: expected a storage URI such as sqlite:PATH or postgresql://user:password@host/db, got something else (not shown: it is secret) (from --storage)
        admin: expected NAME:PASSWORD, got something else (not shown: it is secret) (from POLYSYNC_ADMIN)
        encryption.master-key: expected base64 AES-256 keys (32 bytes each), comma-separated, got something else (not shown: it is secret) (from POLYSYNC_MASTER_KEY)""");
    assertThat(problems).doesNotContain("s3cret").doesNotContain("c2VjcmV0");
  }

  @Test
  void invalidYaml_isReportedWithoutQuotingTheFile() throws Exception {
    yaml("admin: boss:s3cret\nserver: [\n");
    String problems = problems(() -> load(Map.of()));
    assertThat(problems).startsWith("polysync.yaml is not valid YAML: ").contains("line 3").doesNotContain("s3cret");
  }

  @Test
  void secretFiles_fromTheFileTheEnvironmentOrAFlag_lineEndStripped() throws Exception {
    Path admin = Files.writeString(dir.resolve("admin"), "boss:s3cret\n");
    Path storage = Files.writeString(dir.resolve("storage"), "postgresql://u:pw@db/x\r\n");
    Path key = Files.writeString(dir.resolve("master"), KeyProvider.generateKey() + "\n");
    yaml("admin-file: " + admin + "\n");

    Configuration c = load(Map.of("POLYSYNC_STORAGE_FILE", storage.toString(),
        "POLYSYNC_MASTER_KEY_FILE", key.toString()));
    assertThat(c.value("admin")).contains("boss:s3cret");
    assertThat(c.origin("admin")).contains("polysync.yaml " + admin);
    assertThat(c.value("storage.uri")).contains("postgresql://u:pw@db/x");
    KeyOptions keys = c.keyOptions();
    assertThat(keys.resolvedProvider(java.util.List.of())).isEqualTo("env");
    KeyProvider provider = keys.keyProvider(dir, getClass().getClassLoader()).orElseThrow();
    assertThat(provider.currentKeyId()).isEqualTo(KeyProvider.keyId(Files.readString(key).strip()));
    assertThat(provider.description()).isEqualTo("file " + key + " (POLYSYNC_MASTER_KEY_FILE)");
    assertThat(load(Map.of("POLYSYNC_MASTER_KEY", Files.readString(key).strip())).keyOptions()
        .keyProvider(dir, getClass().getClassLoader()).orElseThrow().description())
        .isEqualTo("environment variable POLYSYNC_MASTER_KEY");

    // A flag outranks the file form in the environment; one source may not give both forms.
    assertThat(load(Map.of("POLYSYNC_ADMIN_FILE", admin.toString()), "--admin", "root:pw").value("admin"))
        .contains("root:pw");
    assertThat(load(Map.of(), "--admin-file", admin.toString()).value("admin")).contains("boss:s3cret");
    assertThat(problems(() -> load(Map.of(), "--admin", "root:pw", "--admin-file", admin.toString())))
        .isEqualTo("--admin and --admin-file both set admin; give one");
  }

  @Test
  void secretFiles_missingOrEmpty_isAClearError() throws Exception {
    Files.writeString(dir.resolve("empty"), "\n");
    assertThat(problems(() -> load(Map.of("POLYSYNC_ADMIN_FILE", dir.resolve("nope").toString()))))
        .isEqualTo("admin-file (POLYSYNC_ADMIN_FILE): no such file " + dir.resolve("nope"));
    assertThat(problems(() -> load(Map.of(), "--storage-file", "empty")))
        .isEqualTo("storage.uri-file (--storage-file): empty is empty");
    // Only secrets take a file.
    assertThat(problems(() -> load(Map.of(), "--setting", "server.port-file=x")))
        .isEqualTo("unknown key 'server.port-file' on the command line; did you mean 'server.port'? (only secrets"
            + " can be given as a file)");
  }

  @Test
  void everyServeOption_isAKeysFlag_soThatNoneIsLeftOutOfTheConfiguration() {
    Set<String> flags = new TreeSet<>();
    ConfigKeys.ALL.forEach(k -> {
      k.flag().ifPresent(flags::add);
      k.fileFlag().ifPresent(flags::add);
    });
    Set<String> options = new TreeSet<>();
    for (OptionSpec o : new CommandLine(new Main()).getCommandSpec().options()) {
      options.add(o.longestName());
    }
    options.removeAll(Set.of(ConfigLoader.CONFIG_FLAG, ConfigLoader.SETTING_FLAG, "--help", "--version"));
    assertThat(options).as("options of polysync serve without a key in ConfigKeys, or keys naming no option")
        .isEqualTo(flags);
  }

  @Test
  void help_namesTheConfigurationFileAndThePrecedence() {
    String usage = new CommandLine(new Main()).getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
    assertThat(usage).contains("--config=FILE", "--admin-file=FILE", "--storage-file=FILE", "POLYSYNC_CONFIG",
        "a flag beats the environment, which beats the file, which beats the default");
  }
}
