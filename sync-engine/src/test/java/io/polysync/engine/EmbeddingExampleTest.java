package io.polysync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.spi.StorageConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding example of the README, run as written (on the in-memory test storage). */
final class EmbeddingExampleTest {
  @TempDir Path dir;

  @Test
  void readmeExample_putGetChangesAwait_works() {
    String uri = "memory:readme-" + UUID.randomUUID(); // the README uses sqlite:./data/app.db
    ObjectNode json = new ObjectMapper().createObjectNode().put("_id", "n1").put("text", "hello");

    EngineOptions options = EngineOptions.defaults().withKeyFile(dir.resolve("app.key"));
    try (SyncEngine engine = SyncEngine.open(StorageConfig.of(uri), options)) {
      Database notes = engine.createDatabase("notes");
      WriteOutcome.Ok ok = notes.put(json);
      Document doc = notes.get(ok.id(), ReadOptions.defaults());
      ChangesResult page = notes.changes(ChangesOptions.since(0).withIncludeDocs(true));
      long seq = notes.awaitChanges(page.lastSeq(), Duration.ofMillis(50));

      assertThat(ok.rev()).matches("1-[0-9a-f]{32}");
      assertThat(doc.json().get("text").asText()).isEqualTo("hello");
      assertThat(page.results()).hasSize(1);
      assertThat(seq).isEqualTo(page.lastSeq());
    }
  }
}
