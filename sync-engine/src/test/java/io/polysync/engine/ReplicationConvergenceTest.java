package io.polysync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.spi.SyncException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property test through the public API: replicas (databases) edit a few documents independently,
 * delete, sync partially with {@code new_edits=false} and stem to small {@code revs_limit}s; then
 * every replica's leaves are pushed into fresh databases in random orders and random batches
 * (duplicate ids in one batch included). All targets must agree on winners, conflicts, deleted
 * conflicts and leaves, and pushing everything again must write nothing. Seeded; the seed is printed.
 */
final class ReplicationConvergenceTest {
  private static final List<String> IDS = List.of("alpha", "beta", "gamma");

  @Test
  void bulkDocs_replicatedLeavesInAnyOrder_convergeAcrossTargets() {
    long seed = new Random().nextLong();
    System.out.println("ReplicationConvergenceTest seed=" + seed);
    Random random = new Random(seed);
    try (SyncEngine engine = TestStorages.memoryEngine()) {
      for (int run = 0; run < 25; run++) {
        List<Database> replicas = new ArrayList<>();
        int count = 2 + random.nextInt(3);
        for (int r = 0; r < count; r++) {
          Database db = engine.createDatabase("r" + run + "x" + r);
          db.setRevsLimit(2 + random.nextInt(8));
          replicas.add(db);
        }
        int steps = 10 + random.nextInt(60);
        for (int s = 0; s < steps; s++) {
          Database replica = replicas.get(random.nextInt(count));
          if (random.nextInt(10) < 7) {
            edit(replica, IDS.get(random.nextInt(IDS.size())), random);
          } else {
            push(replica, replicas.get(random.nextInt(count)), random);
          }
        }
        List<DocumentWrite> all = new ArrayList<>();
        replicas.forEach(r -> all.addAll(leaves(r)));
        List<String> reference = null;
        for (int t = 0; t < 3; t++) {
          Database target = engine.createDatabase("t" + run + "x" + t);
          List<DocumentWrite> shuffled = new ArrayList<>(all);
          Collections.shuffle(shuffled, random);
          int i = 0;
          while (i < shuffled.size()) {
            int end = Math.min(shuffled.size(), i + 1 + random.nextInt(6));
            List<WriteOutcome> out = target.bulkDocs(shuffled.subList(i, end), false);
            assertThat(out).as("seed %d", seed).allMatch(o -> o instanceof WriteOutcome.Ok);
            i = end;
          }
          List<String> outcome = outcome(target);
          if (reference == null) {
            reference = outcome;
          } else {
            assertThat(outcome).as("seed %d run %d target %d", seed, run, t).isEqualTo(reference);
          }
          long seq = target.info().updateSeq();
          target.bulkDocs(all, false);
          assertThat(target.info().updateSeq()).as("idempotent, seed %d run %d", seed, run).isEqualTo(seq);
        }
      }
    }
  }

  private static void edit(Database replica, String id, Random random) {
    List<OpenRevResult> leaves;
    try {
      leaves = replica.openAllRevs(id, ReadOptions.defaults());
    } catch (SyncException missing) {
      leaves = List.of();
    }
    ObjectNode doc = TestDocs.doc(id).put("v", random.nextInt(3));
    if (!leaves.isEmpty()) {
      Document leaf = ((OpenRevResult.Found) leaves.get(random.nextInt(3) == 0 ? random.nextInt(leaves.size()) : 0))
          .document();
      if (!(leaf.deleted() && random.nextBoolean())) {
        doc.put("_rev", leaf.rev());
      }
    }
    if (random.nextInt(5) == 0) {
      doc.put("_deleted", true);
    }
    replica.bulkDocs(List.of(DocumentWrite.of(doc)), true);
  }

  private static void push(Database from, Database to, Random random) {
    List<DocumentWrite> docs = leaves(from);
    Collections.shuffle(docs, random);
    if (!docs.isEmpty()) {
      to.bulkDocs(docs, false);
    }
  }

  private static List<DocumentWrite> leaves(Database replica) {
    List<DocumentWrite> out = new ArrayList<>();
    for (String id : IDS) {
      try {
        for (OpenRevResult r : replica.openAllRevs(id, ReadOptions.defaults().withRevs(true))) {
          out.add(DocumentWrite.of(((OpenRevResult.Found) r).document().json()));
        }
      } catch (SyncException missing) {
        // never written on this replica
      }
    }
    return out;
  }

  private static List<String> outcome(Database db) {
    List<String> out = new ArrayList<>();
    for (String id : IDS) {
      try {
        List<OpenRevResult> leaves = db.openAllRevs(id, ReadOptions.defaults().withConflicts(true)
            .withDeletedConflicts(true));
        Document winner = ((OpenRevResult.Found) leaves.get(0)).document();
        out.add(id + " winner=" + winner.rev() + " deleted=" + winner.deleted()
            + " conflicts=" + winner.json().path("_conflicts")
            + " deleted_conflicts=" + winner.json().path("_deleted_conflicts")
            + " leaves=" + leaves.stream().map(l -> ((OpenRevResult.Found) l).document().rev()).sorted().toList());
      } catch (SyncException missing) {
        out.add(id + " missing");
      }
    }
    return out;
  }
}
