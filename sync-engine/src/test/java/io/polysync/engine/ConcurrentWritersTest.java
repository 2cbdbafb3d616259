package io.polysync.engine;

import static io.polysync.engine.TestDocs.doc;
import static io.polysync.engine.TestDocs.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.StorageConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Writers on two engines over one storage race on the same document: lost compare-and-sets are
 * re-read and re-applied, so replicated branches are never lost and interactive edits of one
 * revision succeed exactly once.
 */
final class ConcurrentWritersTest {

  @Test
  void bulkDocs_concurrentReplicatedBranches_allEndUpInTheTree() throws Exception {
    String uri = TestStorages.freshUri();
    try (SyncEngine one = TestStorages.open(uri);
        SyncEngine two = TestStorages.open(uri);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      one.createDatabase("race");
      List<Future<List<WriteOutcome>>> futures = new ArrayList<>();
      int branches = 40;
      for (int i = 0; i < branches; i++) {
        Database db = (i % 2 == 0 ? one : two).database("race");
        String hash = String.format("%032x", i + 1);
        var write = DocumentWrite.of(json("{'_id':'hot','_rev':'2-" + hash + "','_revisions':{'start':2,'ids':['"
            + hash + "','root']}}"));
        futures.add(pool.submit(() -> db.bulkDocs(List.of(write), false)));
      }
      for (Future<List<WriteOutcome>> f : futures) {
        assertThat(f.get().get(0)).isInstanceOf(WriteOutcome.Ok.class);
      }
      assertThat(one.database("race").openAllRevs("hot", ReadOptions.defaults())).hasSize(branches);
    }
  }

  @Test
  void put_concurrentEditsOfOneRevision_exactlyOneWins() throws Exception {
    String uri = TestStorages.freshUri();
    try (SyncEngine one = TestStorages.open(uri);
        SyncEngine two = TestStorages.open(uri);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      String rev = one.createDatabase("race").put(doc("hot")).rev();
      List<Future<WriteOutcome>> futures = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        Database db = (i % 2 == 0 ? one : two).database("race");
        var write = DocumentWrite.of(doc("hot").put("_rev", rev).put("writer", i));
        futures.add(pool.submit(() -> db.bulkDocs(List.of(write), true).get(0)));
      }
      int ok = 0;
      for (Future<WriteOutcome> f : futures) {
        WriteOutcome outcome = f.get();
        if (outcome instanceof WriteOutcome.Ok) {
          ok++;
        } else {
          assertThat(((WriteOutcome.Failed) outcome).error()).isEqualTo(EngineError.DOCUMENT_CONFLICT);
        }
      }
      assertThat(ok).isEqualTo(1);
      assertThat(one.database("race").openAllRevs("hot", ReadOptions.defaults())).hasSize(1);
    }
  }
}
