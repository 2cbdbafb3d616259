package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md lists exactly the keys of {@link ConfigKeys}, in its order, each with its
 * environment variables, flags, form, default and meaning as the registry has them. On a mismatch
 * the message holds the table the page should have.
 */
final class ConfigurationDocTest {
  static final Path PAGE = Path.of("..", "docs", "configuration.md");
  static final String HEADER = "| key | environment | flag | value | default | meaning |";

  static String row(ConfigKey key) {
    List<String> names = new ArrayList<>();
    names.add(key.name());
    key.fileName().ifPresent(names::add);
    List<String> env = new ArrayList<>(key.envNames());
    env.addAll(key.fileEnvNames());
    List<String> flags = new ArrayList<>();
    key.flag().ifPresent(flags::add);
    key.fileFlag().ifPresent(flags::add);
    return "| " + code(names) + " | " + code(env) + " | " + (flags.isEmpty() ? "—" : code(flags)) + " | "
        + key.form().expected() + " | " + key.defaultText() + " | " + key.description() + " |";
  }

  private static String code(List<String> names) {
    return names.stream().map(n -> "`" + n + "`").collect(Collectors.joining(", "));
  }

  /** The rows of the table that follows the header, as written. */
  static List<String> documentedRows(List<String> lines) {
    int start = lines.indexOf(HEADER);
    assertThat(start).as(PAGE + " has a table headed " + HEADER).isNotNegative();
    List<String> rows = new ArrayList<>();
    for (int i = start + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      rows.add(lines.get(i).strip());
    }
    return rows;
  }

  @Test
  void page_listsEveryKeyOfTheRegistry_asTheRegistryHasIt() throws Exception {
    List<String> documented = documentedRows(Files.readAllLines(PAGE));
    List<String> expected = ConfigKeys.ALL.stream().map(ConfigurationDocTest::row).toList();
    assertThat(documented)
        .as("the table of %s disagrees with ConfigKeys; it should read:%n%s%n|---|---|---|---|---|---|%n%s%n",
            PAGE, HEADER, String.join("\n", expected))
        .isEqualTo(expected);
  }

  @Test
  void documentedRows_parsesTheTableUnderItsHeader() {
    List<String> rows = documentedRows(List.of("text", HEADER, "|---|", "| `a` | b |", "| `c` | d |", "", "| x |"));
    assertThat(rows).containsExactly("| `a` | b |", "| `c` | d |");
  }
}
