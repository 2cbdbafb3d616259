package io.polysync.engine.internal;

import static io.polysync.engine.internal.Trees.merge;
import static io.polysync.engine.internal.Trees.mergeDeleted;
import static io.polysync.engine.internal.Trees.shape;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Merge and stem cases re-expressed from PouchDB's {@code tests/unit/test.merge.js}, itself a port
 * of CouchDB's key-tree merging tests ({@code 060-kt-merging.t}, later {@code couch_key_tree_tests}).
 * Their trees with branches are written here as the set of root-to-leaf paths merged one by one.
 */
final class RevTreeTest {

  @Test
  void mergePath_emptyTree_isThePath() {
    RevTree tree = new RevTree();
    assertThat(merge(tree, 2, "2_0", "1")).isTrue();
    assertThat(shape(tree)).containsExactly("1-1<", "2-2_0<1-1");
  }

  @Test
  void mergePath_samePathAgain_changesNothing() {
    RevTree tree = new RevTree();
    merge(tree, 2, "2_0", "1");
    assertThat(merge(tree, 2, "2_0", "1")).isFalse();
    assertThat(merge(tree, 1, "1")).isFalse();
    assertThat(shape(tree)).containsExactly("1-1<", "2-2_0<1-1");
  }

  @Test
  void mergePath_newLeaf_extendsThePath() {
    RevTree tree = new RevTree();
    merge(tree, 2, "2_0", "1");
    merge(tree, 3, "3", "2_0");
    assertThat(shape(tree)).containsExactly("1-1<", "2-2_0<1-1", "3-3<2-2_0");
    assertThat(Trees.leaves(tree)).containsExactly("3-3");
  }

  @Test
  void mergePath_newBranch_inEitherOrder_givesTheSameTree() {
    RevTree a = new RevTree();
    merge(a, 2, "2_0", "1");
    merge(a, 2, "2_1", "1");
    RevTree b = new RevTree();
    merge(b, 2, "2_1", "1");
    merge(b, 2, "2_0", "1");
    assertThat(shape(a)).isEqualTo(shape(b)).containsExactly("1-1<", "2-2_0<1-1", "2-2_1<1-1");
    assertThat(Trees.leaves(a)).containsExactly("2-2_0", "2-2_1");
  }

  @Test
  void mergePath_stemmedConflict_isReconnectedByNewInformation() {
    // "New information reconnects steming induced conflicts": {1} and {3 (stemmed)} + 1-2_0-3.
    RevTree tree = new RevTree();
    merge(tree, 1, "1");
    merge(tree, 3, "3");
    assertThat(Trees.leaves(tree)).containsExactly("1-1", "3-3");
    merge(tree, 3, "3", "2_0", "1");
    assertThat(shape(tree)).containsExactly("1-1<", "2-2_0<1-1", "3-3<2-2_0");
    assertThat(Trees.leaves(tree)).containsExactly("3-3");
  }

  @Test
  void stem_simplePath_keepsTheNewestRevisions() {
    // "Simple stemming works": 1-2_0 + 2_0-3 at limit 2 is 2_0-3.
    RevTree tree = new RevTree();
    merge(tree, 2, "2_0", "1");
    merge(tree, 3, "3", "2_0");
    tree.stem(2);
    assertThat(shape(tree)).containsExactly("2-2_0<", "3-3<2-2_0");
  }

  @Test
  void stem_branches_cutsEachPathSeparately() {
    // "Merge with stemming works correctly for branches": 1-{2_0-{3, 3_1}, 2_1} at limit 2 is
    // [1-2_1, 2_0-{3, 3_1}]: the edge 2_0->1 is in no cut path, so 2_0 becomes a root.
    RevTree tree = branchy();
    tree.stem(2);
    assertThat(shape(tree)).containsExactly("1-1<", "2-2_0<", "2-2_1<1-1", "3-3<2-2_0", "3-3_1<2-2_0");
  }

  @Test
  void stem_toOne_keepsLeavesOnly() {
    // "Merge with stemming to leaves works fine".
    RevTree tree = branchy();
    tree.stem(1);
    assertThat(shape(tree)).containsExactly("2-2_1<", "3-3<", "3-3_1<");
  }

  @Test
  void mergePath_unstemmedPath_recoversWhatItCan() {
    // "Merging unstemmed recovers as much as possible without losing info".
    RevTree tree = branchy();
    tree.stem(1);
    merge(tree, 3, "3", "2_0", "1");
    assertThat(shape(tree)).containsExactly("1-1<", "2-2_0<1-1", "2-2_1<", "3-3<2-2_0", "3-3_1<");
  }

  @Test
  void mergePath_stemAtDeeperLevel_isAlreadyKnown() {
    // "Merging a stem at a deeper level": 1-{1a, 1b-1bb} + {3: 1bb}.
    RevTree tree = new RevTree();
    merge(tree, 2, "1a", "1");
    merge(tree, 3, "1bb", "1b", "1");
    assertThat(merge(tree, 3, "1bb")).isFalse();
    assertThat(Trees.leaves(tree)).containsExactly("2-1a", "3-1bb");
  }

  @Test
  void mergePath_unrelatedStem_createsAConflictUntilReconnected() {
    // "Merging should create conflicts" then "Merging should have no conflicts".
    RevTree tree = new RevTree();
    merge(tree, 2, "1a", "1");
    merge(tree, 3, "1aa");
    assertThat(Trees.leaves(tree)).containsExactly("2-1a", "3-1aa");
    merge(tree, 3, "1aa", "1a", "1");
    assertThat(Trees.leaves(tree)).containsExactly("3-1aa");
  }

  @Test
  void mergePath_conflictingTrees_behave() {
    // "Merging trees with conflicts ought to behave": foo-{foo2, foo3} + foo-foo3-foo4.
    RevTree tree = new RevTree();
    merge(tree, 2, "foo2", "foo");
    merge(tree, 2, "foo3", "foo");
    merge(tree, 3, "foo4", "foo3", "foo");
    assertThat(shape(tree)).containsExactly("1-foo<", "2-foo2<1-foo", "2-foo3<1-foo", "3-foo4<2-foo3");
  }

  @Test
  void winner_longestLeaf_wins() {
    // "winningRev returns the longest leaf" (PouchDB test.merge.js).
    RevTree tree = new RevTree();
    merge(tree, 2, "44d71a718b90e4696c06a90e08912c8f", "bfe70372c90ded1087239e5191984f76");
    merge(tree, 3, "93c3db16462f656f7172ccabd3cf6cd6", "56e657612d55ab1a402dcb281c874f2a",
        "bfe70372c90ded1087239e5191984f76");
    assertThat(tree.winner().rev()).hasToString("3-93c3db16462f656f7172ccabd3cf6cd6");
  }

  @Test
  void winner_longestLeafAcrossRoots_wins() {
    // "winningRev returns the longest leaf again" (PouchDB issue #293): two roots.
    RevTree tree = new RevTree();
    merge(tree, 3, "28cd77a3ca30f79e1cfffcd6a41ca308", "bf5e08a4f9fa6d33a53f4a00ae3ea399",
        "203db1a1810a838895d561f67b224b5d");
    merge(tree, 2, "1b8dfbb1267e213328920bae43f2f597", "c6d5cce35bcfbef90b20f140d723cbdb");
    merge(tree, 3, "64a9842c6aea50bf24660378e496e853", "59ed830b84b276ab776c3c51aaf93a16",
        "c6d5cce35bcfbef90b20f140d723cbdb");
    assertThat(tree.winner().rev()).hasToString("3-64a9842c6aea50bf24660378e496e853");
    assertThat(tree.conflicts()).extracting(Rev::toString)
        .containsExactly("3-28cd77a3ca30f79e1cfffcd6a41ca308", "2-1b8dfbb1267e213328920bae43f2f597");
  }

  @Test
  void winner_liveLeaf_beatsLongerDeletedLeaf() {
    // CouchDB couch_doc:to_doc_info_path sorts by {not Deleted, {Pos, RevId}}.
    RevTree tree = new RevTree();
    merge(tree, 2, "b", "a");
    mergeDeleted(tree, 4, "z", "y", "x", "a");
    assertThat(tree.winner().rev()).hasToString("2-b");
    assertThat(tree.conflicts()).isEmpty();
    assertThat(tree.deletedConflicts()).extracting(Rev::toString).containsExactly("4-z");
  }

  @Test
  void winner_allLeavesDeleted_highestDeletedWins() {
    RevTree tree = new RevTree();
    mergeDeleted(tree, 2, "b", "a");
    mergeDeleted(tree, 3, "c", "x", "a");
    assertThat(tree.winner().rev()).hasToString("3-c");
    assertThat(tree.winner().deleted()).isTrue();
    assertThat(tree.deletedConflicts()).extracting(Rev::toString).containsExactly("2-b");
  }

  @Test
  void winner_sameGeneration_highestHashWins() {
    // couch.md A.15, seen with real clients: 2-ca8005... beat 2-606144... on every replica.
    RevTree tree = new RevTree();
    merge(tree, 2, "606144aaaaaaaaaaaaaaaaaaaaaaaaaa", "a");
    merge(tree, 2, "ca8005aaaaaaaaaaaaaaaaaaaaaaaaaa", "a");
    assertThat(tree.winner().rev().hash()).startsWith("ca8005");
  }

  @Test
  void mergePath_leafBodies_keptOnLeavesOnly() {
    RevTree tree = new RevTree();
    tree.mergePath(Trees.path(1, "a"), false, Json.object().put("v", 1), java.util.Map.of());
    tree.mergePath(Trees.path(2, "b", "a"), false, Json.object().put("v", 2), java.util.Map.of());
    assertThat(tree.node(new Rev(1, "a")).orElseThrow().body()).isEmpty();
    assertThat(tree.node(new Rev(2, "b")).orElseThrow().body()).hasValueSatisfying(
        b -> assertThat(b.get("v").intValue()).isEqualTo(2));
  }

  @Test
  void leavesUnder_interiorRevision_returnsDescendingLeaves() {
    RevTree tree = branchy();
    assertThat(tree.leavesUnder(new Rev(2, "2_0"))).extracting(n -> n.rev().toString())
        .containsExactlyInAnyOrder("3-3", "3-3_1");
    assertThat(tree.leavesUnder(new Rev(2, "2_1"))).extracting(n -> n.rev().toString())
        .containsExactly("2-2_1");
    assertThat(tree.leavesUnder(new Rev(9, "nope"))).isEmpty();
  }

  /** 1-{2_0-{3, 3_1}, 2_1}: PouchDB's {@code newbranchleafbranch}. */
  private static RevTree branchy() {
    RevTree tree = new RevTree();
    merge(tree, 3, "3", "2_0", "1");
    merge(tree, 3, "3_1", "2_0", "1");
    merge(tree, 2, "2_1", "1");
    return tree;
  }
}
