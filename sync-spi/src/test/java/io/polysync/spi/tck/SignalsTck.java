package io.polysync.spi.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.ChangeSignals;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Change signals within one storage: a listener subscribed before a commit is called after it,
 * with a sequence number that is a lower bound of the namespace's latest, and the commit is
 * readable once the signal arrives. Signals across storages are in {@link MultiInstanceTck}.
 *
 * <p>Only liveness is checked, within a generous bound ({@link #signalBound()}); signals may be
 * coalesced, duplicated or late, so nothing else about their timing or count is asserted.
 *
 * <p>Subclass it once per backend and implement {@link #config()}; see {@link StorageTck}.
 */
// Subscriptions are held by try-with-resources only to be closed, never referenced.
@SuppressWarnings("try")
public abstract class SignalsTck extends StorageTck {

  /** How long a signal may take at worst: the declared poll interval plus ten seconds. */
  protected final Duration signalBound() {
    return storage().capabilities().signalPollInterval().plusSeconds(10);
  }

  /** Collects signals; {@link #awaitSeq} waits for one that reached a sequence number. */
  protected static final class Recorder implements ChangeSignals.Listener {
    final List<String> namespaces = new CopyOnWriteArrayList<>();
    final List<Long> seqs = new CopyOnWriteArrayList<>();

    @Override
    public synchronized void changed(String namespace, long seq) {
      namespaces.add(namespace);
      seqs.add(seq);
      notifyAll();
    }

    /** Waits until a signal with at least {@code seq} arrived; false on timeout. */
    public synchronized boolean awaitSeq(long seq, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (seqs.stream().noneMatch(s -> s >= seq)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    }
  }

  @Test
  protected void subscribe_thenWrite_listenerCalledAndCommitReadable() throws Exception {
    String ns = newNamespace();
    Recorder recorder = new Recorder();
    try (ChangeSignals.Subscription s = storage().signals().subscribe(ns, recorder)) {
      WriteResult.Written w = writeOne(ns, item("doc", "1-a", 0));
      assertThat(recorder.awaitSeq(w.seq(), signalBound()))
          .as("a signal reaching seq %d within %s", w.seq(), signalBound())
          .isTrue();
      // The signal promises the commit is readable: a reader woken by it must find the write.
      List<StoredDocument> feed =
          storage().documents().changes(ns, ChangesRange.after(w.seq() - 1, 10));
      assertThat(feed).extracting(StoredDocument::id).contains("doc");
      assertThat(recorder.namespaces).containsOnly(ns);
    }
  }

  @Test
  protected void signals_seqs_positiveAndNeverBeyondLastSeq() throws Exception {
    String ns = newNamespace();
    Recorder recorder = new Recorder();
    try (ChangeSignals.Subscription s = storage().signals().subscribe(ns, recorder)) {
      WriteResult.Written last = null;
      for (int i = 0; i < 20; i++) {
        last = createAll(ns, List.of("a" + i, "b" + i)).get(1);
      }
      assertThat(recorder.awaitSeq(last.seq(), signalBound())).isTrue();
      long lastSeq = storage().namespaces().get(ns).orElseThrow().lastSeq();
      assertThat(recorder.seqs).allSatisfy(seq -> assertThat(seq).isBetween(1L, lastSeq));
    }
  }

  @Test
  protected void subscribe_twoListeners_bothCalled() throws Exception {
    String ns = newNamespace();
    Recorder first = new Recorder();
    Recorder second = new Recorder();
    try (ChangeSignals.Subscription a = storage().signals().subscribe(ns, first);
        ChangeSignals.Subscription b = storage().signals().subscribe(ns, second)) {
      WriteResult.Written w = writeOne(ns, item("doc", "1-a", 0));
      assertThat(first.awaitSeq(w.seq(), signalBound())).isTrue();
      assertThat(second.awaitSeq(w.seq(), signalBound())).isTrue();
    }
  }

  @Test
  protected void subscribe_afterEarlierWrites_calledForLaterCommit() throws Exception {
    String ns = newNamespace();
    createAll(ns, List.of("a", "b", "c"));
    Recorder recorder = new Recorder();
    try (ChangeSignals.Subscription s = storage().signals().subscribe(ns, recorder)) {
      WriteResult.Written w = writeOne(ns, item("d", "1-a", 0));
      assertThat(recorder.awaitSeq(w.seq(), signalBound())).isTrue();
    }
  }

  @Test
  protected void subscription_closeTwiceAndKeepOthers_stillSignalsOthers() throws Exception {
    String ns = newNamespace();
    Recorder closed = new Recorder();
    Recorder kept = new Recorder();
    ChangeSignals.Subscription first = storage().signals().subscribe(ns, closed);
    try (ChangeSignals.Subscription second = storage().signals().subscribe(ns, kept)) {
      first.close();
      first.close();
      WriteResult.Written w = writeOne(ns, item("doc", "1-a", 0));
      assertThat(kept.awaitSeq(w.seq(), signalBound())).isTrue();
    }
  }

  @Test
  protected void subscribe_sameListenerTwiceThenCloseOne_otherStillSignals() throws Exception {
    String ns = newNamespace();
    Recorder recorder = new Recorder();
    ChangeSignals.Subscription first = storage().signals().subscribe(ns, recorder);
    try (ChangeSignals.Subscription second = storage().signals().subscribe(ns, recorder)) {
      first.close();
      WriteResult.Written w = writeOne(ns, item("doc", "1-a", 0));
      assertThat(recorder.awaitSeq(w.seq(), signalBound())).isTrue();
    }
  }
}
