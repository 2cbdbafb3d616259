package io.polysync.spi.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.Capability;
import io.polysync.spi.ChangeSignals;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.StorageError;
import io.polysync.spi.Storage;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Several storages on one database, standing in for several server processes (the scale-out
 * shape): the changes feed read through one storage never skips a write made through another,
 * sequence numbers and timestamps strictly increase across storages writing concurrently,
 * compare-and-set holds across them, and a commit through one wakes a listener subscribed on
 * another within a generous bound (the declared poll interval plus ten seconds).
 *
 * <p>Subclass it for every backend that can have several storages open on one database, in one
 * JVM at least (every backend that declares {@link Capability#MULTI_PROCESS} must). Each test opens
 * a second storage with {@link #config()}, which must therefore name the same database on every
 * call.
 *
 * <p>Subclass it once per backend and implement {@link #config()}; see {@link StorageTck}.
 */
// Subscriptions are held by try-with-resources only to be closed, never referenced.
@SuppressWarnings("try")
public abstract class MultiInstanceTck extends StorageTck {
  private Storage other;

  /** Opens the second storage on the same database, once per kit class. */
  private void requireMultiProcess() {
    if (other == null) {
      other = openAnother();
    }
  }

  private Duration signalBound() {
    return other.capabilities().signalPollInterval().plusSeconds(10);
  }

  @Test
  protected void feed_writersOnOneStorageReadersOnAnother_readersSeeEveryFinalState() throws Exception {
    requireMultiProcess();
    String ns = newNamespace();
    long seed = System.nanoTime();
    FeedWorkload workload = new FeedWorkload(ns, List.of(storage()), List.of(other), 4, 2, 10_000, seed);
    assertThat(workload.run()).as("invariant violations").isEmpty();
    assertThat(workload.writes()).isGreaterThanOrEqualTo(10_000);
  }

  @Test
  protected void feed_writersAndReadersOnBothStorages_strictlyIncreasingAcrossStorages() throws Exception {
    requireMultiProcess();
    String ns = newNamespace();
    long seed = System.nanoTime();
    FeedWorkload workload =
        new FeedWorkload(ns, List.of(storage(), other), List.of(other, storage()), 4, 2, 4_000, seed);
    assertThat(workload.run()).as("invariant violations").isEmpty();
  }

  @Test
  protected void signals_writeThroughOneStorage_wakesListenerOnAnother() throws Exception {
    requireMultiProcess();
    String ns = newNamespace();
    SignalsTck.Recorder recorder = new SignalsTck.Recorder();
    try (ChangeSignals.Subscription s = other.signals().subscribe(ns, recorder)) {
      // Give a subscription that is set up asynchronously (LISTEN, a change stream) time to attach;
      // only the liveness bound below is asserted.
      for (int round = 0; round < 3; round++) {
        WriteResult.Written w = writeOne(ns, item("doc-" + round, "1-a", 0));
        assertThat(recorder.awaitSeq(w.seq(), signalBound()))
            .as("signal on the other storage for seq %d within %s", w.seq(), signalBound())
            .isTrue();
        List<StoredDocument> feed = other.documents().changes(ns, ChangesRange.after(w.seq() - 1, 10));
        assertThat(feed).extracting(StoredDocument::id).contains("doc-" + round);
      }
    }
  }

  @Test
  protected void write_staleCompareAndSetFromOtherStorage_conflictChangesNothing() {
    requireMultiProcess();
    String ns = newNamespace();
    WriteResult.Written first = writeOne(ns, item("doc", "1-a", 0));
    List<WriteResult> fromOther = other.documents().write(ns, List.of(item("doc", "2-b", first.seq())));
    assertThat(fromOther.get(0)).isInstanceOf(WriteResult.Written.class);
    long current = ((WriteResult.Written) fromOther.get(0)).seq();
    List<WriteResult> stale = storage().documents().write(ns, List.of(item("doc", "2-c", first.seq())));
    assertThat(stale).containsExactly(new WriteResult.Conflict("doc", current));
    assertHolds(stored(ns, "doc"), item("doc", "2-b", 0));
  }

  @Test
  protected void write_alternatingStorages_seqsAndTimestampsStrictlyIncrease() {
    requireMultiProcess();
    String ns = newNamespace();
    WriteResult.Written previous = null;
    for (int i = 0; i < 100; i++) {
      Storage s = i % 2 == 0 ? storage() : other;
      WriteResult result = s.documents().write(ns, List.of(item("d" + i, "1-a", 0))).get(0);
      assertThat(result).isInstanceOf(WriteResult.Written.class);
      WriteResult.Written w = (WriteResult.Written) result;
      if (previous != null) {
        assertThat(w.seq()).isGreaterThan(previous.seq());
        assertThat(w.timestamp()).isGreaterThan(previous.timestamp());
      }
      previous = w;
    }
    assertThat(other.namespaces().get(ns).orElseThrow().lastSeq()).isEqualTo(previous.seq());
  }

  @Test
  protected void namespaces_createdAndDroppedThroughOne_seenByOther() {
    requireMultiProcess();
    String name = randomName();
    storage().namespaces().create(name, Map.of("k", "v"));
    dropAfterTest(name);
    assertThat(other.namespaces().get(name)).hasValueSatisfying(i -> assertThat(i.metadata()).containsEntry("k", "v"));
    other.locals().put(name, "cp", new byte[] {1}, 0);
    assertThat(storage().locals().get(name, "cp")).isPresent();
    storage().namespaces().drop(name);
    assertThat(other.namespaces().get(name)).isEmpty();
    assertError(StorageError.NAMESPACE_NOT_FOUND, () -> other.documents().get(name, "doc"));
  }
}
