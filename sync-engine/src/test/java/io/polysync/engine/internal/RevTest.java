package io.polysync.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polysync.engine.EngineError;
import io.polysync.spi.SyncException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

final class RevTest {

  @Test
  void parse_couchRev_splitsGenerationAndHash() {
    Rev rev = Rev.parse("12-967a00dff5e02add41819138abb3284d");
    assertThat(rev.gen()).isEqualTo(12);
    assertThat(rev.hash()).isEqualTo("967a00dff5e02add41819138abb3284d");
    assertThat(rev).hasToString("12-967a00dff5e02add41819138abb3284d");
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "0-x", "1-", "-1-x", "x-abc", "1a-abc", "", "-", "1 -a", "1-a b",
      "1234567890123456789-a"})
  void parse_malformed_isInvalidRevision(String text) {
    assertThatThrownBy(() -> Rev.parse(text))
        .isInstanceOfSatisfying(SyncException.class,
            e -> assertThat(e.errorCode()).isEqualTo(EngineError.INVALID_REVISION));
  }

  @Test
  void parse_overLong_isInvalidRevision() {
    assertThatThrownBy(() -> Rev.parse("1-" + "a".repeat(300)))
        .isInstanceOfSatisfying(SyncException.class,
            e -> assertThat(e.errorCode()).isEqualTo(EngineError.INVALID_REVISION));
  }

  @Test
  void compareTo_generationBeforeHash() {
    assertThat(Rev.parse("10-a")).isGreaterThan(Rev.parse("9-z"));
    assertThat(Rev.parse("2-b")).isGreaterThan(Rev.parse("2-a"));
  }
}
