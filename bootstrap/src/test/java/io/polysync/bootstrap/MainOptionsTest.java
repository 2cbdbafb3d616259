package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The observability options of {@code polysync serve}: defaults and refused values. */
final class MainOptionsTest {
  @Test
  void observeOptions_defaults() {
    Main main = new Main();
    new CommandLine(main).parseArgs();
    // The documented defaults, unless the environment running the build sets the variables.
    assertThat(main.logFormat).isEqualTo(System.getenv().getOrDefault("POLYSYNC_LOG_FORMAT", "text"));
    assertThat(main.metrics).isEqualTo(System.getenv().getOrDefault("POLYSYNC_METRICS", "loopback"));
    assertThat(main.accessLog).isEqualTo(Boolean.parseBoolean(System.getenv().getOrDefault("POLYSYNC_ACCESS_LOG", "false")));
  }

  @Test
  void observeOptions_given() {
    Main main = new Main();
    new CommandLine(main).parseArgs("--log-format", "json", "--metrics", "admin", "--access-log");
    assertThat(main.logFormat).isEqualTo("json");
    assertThat(main.metrics).isEqualTo("admin");
    assertThat(main.accessLog).isTrue();
  }

  @Test
  void observeOptions_badValues_exitStatus2WithAMessage() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertThat(new CommandLine(new Main()).execute("--log-format", "xml")).isEqualTo(2);
      assertThat(new CommandLine(new Main()).execute("--metrics", "everyone")).isEqualTo(2);
    } finally {
      System.setErr(err);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("--log-format takes text or json, not xml")
        .contains("--metrics takes loopback, admin, open or off, not everyone");
  }
}
