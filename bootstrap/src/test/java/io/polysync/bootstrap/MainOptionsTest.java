package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The observability options of {@code polysync serve}: defaults, flags, environment and refused values. */
final class MainOptionsTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  private Configuration parse(Map<String, String> env, String... args) {
    Main main = new Main(System.out, err, env, dir);
    new CommandLine(main).parseArgs(args);
    return main.configuration();
  }

  @Test
  void observeOptions_defaults() {
    Configuration c = parse(Map.of());
    assertThat(c.value("log.format")).hasValue("text");
    assertThat(c.value("metrics.access")).hasValue("loopback");
    assertThat(c.bool("log.access")).isFalse();
  }

  @Test
  void observeOptions_givenAsFlags_orInTheEnvironment() {
    Configuration flags = parse(Map.of(), "--log-format", "json", "--metrics", "admin", "--access-log");
    assertThat(flags.value("log.format")).hasValue("json");
    assertThat(flags.value("metrics.access")).hasValue("admin");
    assertThat(flags.bool("log.access")).isTrue();
    Configuration env = parse(Map.of("POLYSYNC_LOG_FORMAT", "json", "POLYSYNC_METRICS", "off",
        "POLYSYNC_ACCESS_LOG", "true"));
    assertThat(env.value("log.format")).hasValue("json");
    assertThat(env.value("metrics.access")).hasValue("off");
    assertThat(env.bool("log.access")).isTrue();
  }

  @Test
  void observeOptions_badValues_exitStatus2WithAMessage() {
    assertThat(new CommandLine(new Main(System.out, err, Map.of(), dir)).execute("--log-format", "xml")).isEqualTo(2);
    assertThat(new CommandLine(new Main(System.out, err, Map.of(), dir)).execute("--metrics", "everyone")).isEqualTo(2);
    assertThat(errBytes.toString(StandardCharsets.UTF_8))
        .contains("log.format: expected text or json, got 'xml'")
        .contains("metrics.access: expected loopback, admin, open or off, got 'everyone'");
  }
}
