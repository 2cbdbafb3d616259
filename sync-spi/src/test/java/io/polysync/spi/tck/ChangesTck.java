package io.polysync.spi.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.ChangesRange;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The changes feed and the namespace counters, single-threaded: each document appears once at its
 * latest sequence, tombstones included; {@code since}/{@code until} are exclusive; sequence numbers
 * and timestamps strictly increase, inside one batch too (invariant 3); {@link NamespaceInfo}'s
 * counters follow creates, updates, deletions and resurrections. The concurrent half of the feed's
 * contract is {@link ConcurrencyTck}.
 *
 * <p>Subclass it once per backend and implement {@link #config()}; see {@link StorageTck}.
 */
public abstract class ChangesTck extends StorageTck {

  private List<StoredDocument> changes(String ns, long since, int limit) {
    return storage().documents().changes(ns, ChangesRange.after(since, limit));
  }

  @Test
  protected void changes_emptyNamespace_empty() {
    String ns = newNamespace();
    assertThat(changes(ns, 0, 10)).isEmpty();
  }

  @Test
  protected void changes_rewrittenDocuments_eachOnceAtLatestSeq() {
    String ns = newNamespace();
    List<WriteResult.Written> w = createAll(ns, List.of("a", "b", "c"));
    WriteResult.Written a2 = writeOne(ns, item("a", "2-a", w.get(0).seq()));
    WriteResult.Written b2 = writeOne(ns, tombstone("b", "2-d", w.get(1).seq()));
    WriteResult.Written a3 = writeOne(ns, item("a", "3-a", a2.seq()));

    List<StoredDocument> feed = changes(ns, 0, 100);
    assertThat(feed)
        .extracting(StoredDocument::id, StoredDocument::seq)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("c", w.get(2).seq()),
            org.assertj.core.groups.Tuple.tuple("b", b2.seq()),
            org.assertj.core.groups.Tuple.tuple("a", a3.seq()));
    assertHolds(feed.get(1), tombstone("b", "2-d", 0));
    assertHolds(feed.get(2), item("a", "3-a", 0));
  }

  @Test
  protected void changes_since_excludesSinceItself() {
    String ns = newNamespace();
    List<WriteResult.Written> w = createAll(ns, List.of("a", "b", "c", "d"));
    assertThat(changes(ns, w.get(1).seq(), 100))
        .extracting(StoredDocument::id)
        .containsExactly("c", "d");
    assertThat(changes(ns, w.get(3).seq(), 100)).isEmpty();
  }

  @Test
  protected void changes_until_excludesUntilItself() {
    String ns = newNamespace();
    List<WriteResult.Written> w = createAll(ns, List.of("a", "b", "c", "d"));
    List<StoredDocument> slice =
        storage().documents().changes(ns, new ChangesRange(w.get(0).seq(), w.get(3).seq(), false, 100));
    assertThat(slice).extracting(StoredDocument::id).containsExactly("b", "c");
  }

  @Test
  protected void changes_descending_newestFirst() {
    String ns = newNamespace();
    List<WriteResult.Written> w = createAll(ns, List.of("a", "b", "c", "d"));
    writeOne(ns, item("b", "2-b", w.get(1).seq()));
    List<StoredDocument> all =
        storage().documents().changes(ns, new ChangesRange(0, Long.MAX_VALUE, true, 100));
    assertThat(all).extracting(StoredDocument::id).containsExactly("b", "d", "c", "a");
    List<StoredDocument> limited =
        storage().documents().changes(ns, new ChangesRange(0, Long.MAX_VALUE, true, 2));
    assertThat(limited).extracting(StoredDocument::id).containsExactly("b", "d");
    List<StoredDocument> bounded =
        storage().documents().changes(ns, new ChangesRange(w.get(0).seq(), w.get(3).seq(), true, 100));
    assertThat(bounded).extracting(StoredDocument::id).containsExactly("c");
  }

  @Test
  protected void changes_limit_oldestFirst() {
    String ns = newNamespace();
    createAll(ns, List.of("a", "b", "c", "d"));
    assertThat(changes(ns, 0, 3)).extracting(StoredDocument::id).containsExactly("a", "b", "c");
  }

  @Test
  protected void changes_pagedBySeq_coversEveryDocumentOnceAscending() {
    String ns = newNamespace();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 57; i++) {
      ids.add("doc-" + i);
    }
    List<WriteResult.Written> w = createAll(ns, ids);
    for (int i = 0; i < 57; i += 5) {
      writeOne(ns, item("doc-" + i, "2-x", w.get(i).seq()));
    }
    List<String> seen = new ArrayList<>();
    long since = 0;
    long lastTimestamp = 0;
    while (true) {
      List<StoredDocument> page = changes(ns, since, 7);
      for (StoredDocument d : page) {
        assertThat(d.seq()).as("seq after %d", since).isGreaterThan(since);
        assertThat(d.timestamp()).isGreaterThan(lastTimestamp);
        since = d.seq();
        lastTimestamp = d.timestamp();
        seen.add(d.id());
      }
      if (page.isEmpty()) {
        break;
      }
    }
    assertThat(seen).hasSize(57).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
    assertThat(since).isEqualTo(storage().namespaces().get(ns).orElseThrow().lastSeq());
  }

  @Test
  protected void changes_tombstones_includedWithState() {
    String ns = newNamespace();
    WriteResult.Written w = writeOne(ns, item("gone", "1-a", 0));
    WriteItem del = tombstone("gone", "2-d", w.seq());
    writeOne(ns, del);
    List<StoredDocument> feed = changes(ns, 0, 10);
    assertThat(feed).hasSize(1);
    assertHolds(feed.get(0), del);
  }

  @Test
  protected void write_seqsAndTimestamps_strictlyIncreaseWithinAndAcrossBatches() {
    String ns = newNamespace();
    List<WriteResult.Written> all = new ArrayList<>();
    int n = 0;
    // Many small batches in quick succession share a wall-clock millisecond: timestamps must
    // still strictly increase.
    for (int batch = 0; batch < 40; batch++) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i <= batch % 5; i++) {
        ids.add("d" + n++);
      }
      all.addAll(createAll(ns, ids));
    }
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).seq()).as("seq of write %d", i).isGreaterThan(all.get(i - 1).seq());
      assertThat(all.get(i).timestamp())
          .as("timestamp of write %d", i)
          .isGreaterThan(all.get(i - 1).timestamp());
    }
    NamespaceInfo info = storage().namespaces().get(ns).orElseThrow();
    assertThat(info.lastSeq()).isEqualTo(all.getLast().seq());
    assertThat(info.lastTimestamp()).isEqualTo(all.getLast().timestamp());
    List<StoredDocument> feed = changes(ns, 0, 1000);
    assertThat(feed).extracting(StoredDocument::seq).containsExactlyElementsOf(
        all.stream().map(WriteResult.Written::seq).toList());
    assertThat(feed).extracting(StoredDocument::timestamp).containsExactlyElementsOf(
        all.stream().map(WriteResult.Written::timestamp).toList());
  }

  @Test
  protected void write_timestamps_closeToWallClock() {
    String ns = newNamespace();
    long before = System.currentTimeMillis();
    WriteResult.Written w = writeOne(ns, item("now", "1-a", 0));
    // Generous: the bound guards against seconds-vs-milliseconds or a counter from 1, not clocks.
    assertThat(w.timestamp()).isBetween(before - 3_600_000, before + 3_600_000);
  }

  @Test
  protected void namespaceInfo_counters_followCreatesUpdatesDeletesAndResurrections() {
    String ns = newNamespace();
    NamespaceInfo empty = storage().namespaces().get(ns).orElseThrow();
    assertThat(empty.lastSeq()).isZero();
    assertThat(empty.lastTimestamp()).isZero();
    assertThat(empty.documentCount()).isZero();
    assertThat(empty.deletedCount()).isZero();

    List<WriteResult.Written> w = createAll(ns, List.of("a", "b", "c"));
    assertCounters(ns, w.get(2), 3, 0);

    WriteResult.Written a2 = writeOne(ns, item("a", "2-a", w.get(0).seq()));
    assertCounters(ns, a2, 3, 0);

    WriteResult.Written b2 = writeOne(ns, tombstone("b", "2-d", w.get(1).seq()));
    assertCounters(ns, b2, 2, 1);

    WriteResult.Written b3 = writeOne(ns, tombstone("b", "3-d", b2.seq()));
    assertCounters(ns, b3, 2, 1);

    WriteResult.Written b4 = writeOne(ns, item("b", "4-r", b3.seq()));
    assertCounters(ns, b4, 3, 0);

    WriteResult.Written d = writeOne(ns, tombstone("d", "1-d", 0));
    assertCounters(ns, d, 3, 1);

    // A conflict changes no counter.
    storage().documents().write(ns, List.of(item("c", "9-z", 0)));
    assertCounters(ns, d, 3, 1);

    // Local documents and blobs are not documents.
    storage().locals().put(ns, "checkpoint", new byte[] {1}, 0);
    storage().blobs().put(ns, "blob", new byte[] {1});
    assertCounters(ns, d, 3, 1);
  }

  private void assertCounters(String ns, WriteResult.Written last, long live, long deleted) {
    NamespaceInfo info = storage().namespaces().get(ns).orElseThrow();
    assertThat(info.lastSeq()).as("lastSeq").isEqualTo(last.seq());
    assertThat(info.lastTimestamp()).as("lastTimestamp").isEqualTo(last.timestamp());
    assertThat(info.documentCount()).as("documentCount").isEqualTo(live);
    assertThat(info.deletedCount()).as("deletedCount").isEqualTo(deleted);
  }

  @Test
  protected void changes_namespaces_areIndependent() {
    String first = newNamespace();
    String second = newNamespace();
    createAll(first, List.of("a", "b"));
    NamespaceInfo before = storage().namespaces().get(first).orElseThrow();
    writeOne(second, item("x", "1-a", 0));
    NamespaceInfo after = storage().namespaces().get(first).orElseThrow();
    assertThat(after.lastSeq()).as("a write elsewhere moves no counter here").isEqualTo(before.lastSeq());
    assertThat(after.lastTimestamp()).isEqualTo(before.lastTimestamp());
    assertThat(after.documentCount()).isEqualTo(2);
    assertThat(changes(second, 0, 10)).extracting(StoredDocument::id).containsExactly("x");
    Set<String> firstIds = new HashSet<>();
    changes(first, 0, 10).forEach(d -> firstIds.add(d.id()));
    assertThat(firstIds).containsExactlyInAnyOrder("a", "b");
  }
}
