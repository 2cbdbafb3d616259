package io.polysync.engine.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Helpers to build and describe revision trees in tests. */
final class Trees {
  private Trees() {}

  /** A path newest first: {@code path(3, "c", "b", "a")} is 3-c, 2-b, 1-a. */
  static List<Rev> path(long newestGen, String... hashes) {
    List<Rev> out = new ArrayList<>();
    for (int i = 0; i < hashes.length; i++) {
      out.add(new Rev(newestGen - i, hashes[i]));
    }
    return out;
  }

  static boolean merge(RevTree tree, long newestGen, String... hashes) {
    return tree.mergePath(path(newestGen, hashes), false, Json.object(), Map.of());
  }

  static boolean mergeDeleted(RevTree tree, long newestGen, String... hashes) {
    return tree.mergePath(path(newestGen, hashes), true, Json.object(), Map.of());
  }

  /** The edges as {@code child<parent}, roots as {@code root<}, sorted. */
  static List<String> shape(RevTree tree) {
    TreeSet<String> out = new TreeSet<>();
    for (RevTree.Node n : tree.nodes()) {
      out.add(n.rev() + "<" + n.parent().map(Rev::toString).orElse(""));
    }
    return List.copyOf(out);
  }

  static List<String> leaves(RevTree tree) {
    return tree.leaves().stream().map(n -> n.rev().toString()).sorted().toList();
  }
}
