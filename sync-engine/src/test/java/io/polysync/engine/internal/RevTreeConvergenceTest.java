package io.polysync.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Property tests: random edit histories on simulated replicas (edits, deletes, concurrent branches,
 * partial syncs, stemming) merged into fresh trees in random orders and batchings must converge.
 * Seeded; the seed is printed so a failure can be replayed.
 */
final class RevTreeConvergenceTest {
  private static final int RUNS = 200;

  /** A replica's copy of the document, plus the global record of every revision ever made. */
  private static final class World {
    final Random random;
    final int replicaLimit;
    final List<RevTree> replicas = new ArrayList<>();
    final Map<Rev, Rev> parents = new HashMap<>();
    final Map<Rev, Boolean> deleted = new HashMap<>();

    World(Random random, int replicaCount, int replicaLimit) {
      this.random = random;
      this.replicaLimit = replicaLimit;
      for (int i = 0; i < replicaCount; i++) {
        replicas.add(new RevTree());
      }
    }

    void step() {
      RevTree replica = replicas.get(random.nextInt(replicas.size()));
      int action = random.nextInt(10);
      if (action < 6 || replica.isEmpty()) {
        edit(replica);
      } else if (action < 9) {
        RevTree target = replicas.get(random.nextInt(replicas.size()));
        for (List<Rev> path : leafPaths(replica)) {
          merge(target, path);
        }
        target.stem(replicaLimit);
      } else {
        replica.stem(replicaLimit);
      }
    }

    private void edit(RevTree replica) {
      ObjectNode doc = Json.object().put("_id", "doc").put("v", random.nextInt(4));
      boolean delete = random.nextInt(5) == 0;
      if (delete) {
        doc.put("_deleted", true);
      }
      if (!replica.isEmpty()) {
        List<RevTree.Node> leaves = replica.leaves();
        RevTree.Node leaf = random.nextInt(3) == 0 ? leaves.get(random.nextInt(leaves.size())) : leaves.get(0);
        if (leaf.deleted() && random.nextBoolean()) {
          doc.remove("_deleted");
          // no _rev: revives a deleted winner, or conflicts (which is fine, nothing happens)
        } else {
          doc.put("_rev", leaf.rev().toString());
        }
      }
      try {
        Rev rev = Edits.applyInteractive(replica, DocParser.parse(doc, null, Map.of(), true), new HashMap<>());
        parents.put(rev, replica.node(rev).orElseThrow().parent().orElse(null));
        deleted.put(rev, delete);
      } catch (io.polysync.spi.SyncException conflict) {
        // a creation without _rev on a live document: CouchDB refuses it too
      }
    }

    List<List<Rev>> leafPaths(RevTree tree) {
      List<List<Rev>> out = new ArrayList<>();
      for (RevTree.Node leaf : tree.leaves()) {
        List<Rev> path = tree.ancestry(leaf.rev());
        out.add(path.subList(0, Math.min(path.size(), replicaLimit)));
      }
      return out;
    }

    /** Every revision no other revision names as parent, with its path from the global record. */
    List<List<Rev>> globalLeafPaths(int limit) {
      Set<Rev> interior = new HashSet<>(parents.values());
      List<List<Rev>> out = new ArrayList<>();
      for (Rev rev : parents.keySet()) {
        if (!interior.contains(rev)) {
          List<Rev> path = new ArrayList<>();
          for (Rev r = rev; r != null && path.size() < limit; r = parents.get(r)) {
            path.add(r);
          }
          out.add(path);
        }
      }
      return out;
    }

    void merge(RevTree target, List<Rev> path) {
      target.mergePath(path, deleted.get(path.get(0)), Json.object(), Map.of());
    }
  }

  private record Outcome(String winner, List<String> conflicts, List<String> deletedConflicts, List<String> leaves) {
    static Outcome of(RevTree tree) {
      return new Outcome(
          tree.winner().rev().toString(),
          tree.conflicts().stream().map(Rev::toString).toList(),
          tree.deletedConflicts().stream().map(Rev::toString).toList(),
          Trees.leaves(tree));
    }
  }

  @Test
  void mergePath_replicaLeafPathsInAnyOrder_convergeToOneTree() {
    long seed = new Random().nextLong();
    System.out.println("RevTreeConvergenceTest.replicaLeafPaths seed=" + seed);
    Random random = new Random(seed);
    for (int run = 0; run < RUNS; run++) {
      World world = history(random);
      List<List<Rev>> paths = new ArrayList<>();
      world.replicas.forEach(r -> paths.addAll(world.leafPaths(r)));
      RevTree reference = null;
      for (int target = 0; target < 4; target++) {
        List<List<Rev>> shuffled = new ArrayList<>(paths);
        Collections.shuffle(shuffled, random);
        RevTree tree = new RevTree();
        shuffled.forEach(p -> world.merge(tree, p));
        if (reference == null) {
          reference = tree;
        } else {
          assertThat(Outcome.of(tree)).as("seed %d run %d", seed, run).isEqualTo(Outcome.of(reference));
          assertThat(Trees.shape(tree)).as("seed %d run %d", seed, run).isEqualTo(Trees.shape(reference));
        }
        List<String> before = Trees.shape(tree);
        for (List<Rev> p : paths) {
          assertThat(tree.mergePath(p, world.deleted.get(p.get(0)), Json.object(), Map.of()))
              .as("re-merging is a no-op, seed %d run %d", seed, run).isFalse();
        }
        assertThat(Trees.shape(tree)).isEqualTo(before);
      }
    }
  }

  @Test
  void mergePath_withStemmingInRandomBatches_keepsTheSameLeavesAndWinner() {
    long seed = new Random().nextLong();
    System.out.println("RevTreeConvergenceTest.stemmedBatches seed=" + seed);
    Random random = new Random(seed);
    for (int run = 0; run < RUNS; run++) {
      World world = history(random);
      int limit = 1 + random.nextInt(6);
      List<List<Rev>> paths = world.globalLeafPaths(limit);
      RevTree unstemmed = new RevTree();
      world.globalLeafPaths(Integer.MAX_VALUE).forEach(p -> world.merge(unstemmed, p));
      Outcome expected = Outcome.of(unstemmed);
      for (int target = 0; target < 4; target++) {
        List<List<Rev>> shuffled = new ArrayList<>(paths);
        shuffled.addAll(paths.subList(0, random.nextInt(paths.size() + 1)));
        Collections.shuffle(shuffled, random);
        RevTree tree = new RevTree();
        int i = 0;
        while (i < shuffled.size()) {
          int batch = 1 + random.nextInt(4);
          for (int end = Math.min(shuffled.size(), i + batch); i < end; i++) {
            world.merge(tree, shuffled.get(i));
          }
          tree.stem(limit);
        }
        assertThat(Outcome.of(tree)).as("seed %d run %d limit %d", seed, run, limit).isEqualTo(expected);
        Set<Rev> nearLeaves = new HashSet<>();
        for (RevTree.Node leaf : tree.leaves()) {
          List<Rev> ancestry = tree.ancestry(leaf.rev());
          nearLeaves.addAll(ancestry.subList(0, Math.min(limit, ancestry.size())));
        }
        assertThat(tree.size()).as("every revision within %d of a leaf, seed %d run %d", limit, seed, run)
            .isEqualTo(nearLeaves.size());
      }
    }
  }

  private static World history(Random random) {
    World world = new World(random, 2 + random.nextInt(3), 3 + random.nextInt(8));
    int steps = 5 + random.nextInt(40);
    for (int s = 0; s < steps; s++) {
      world.step();
    }
    if (world.parents.isEmpty()) {
      world.edit(world.replicas.get(0));
    }
    return world;
  }
}
