package io.polysync.spi.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.Capability;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Concurrency within one storage: the changes feed never skips a committed write while writers
 * and feed readers run at once (invariant 1), compare-and-set holds under contention (invariant
 * 2), sequence numbers and timestamps stay unique and increasing (invariant 3), and a declared
 * {@link Capability#ATOMIC_BATCHES} means a reader never sees part of a batch.
 *
 * <p>The feed test runs 4 writers (10,000 writes in batches of 1 to 100, with rewrites, deletions,
 * resurrections and contended compare-and-set retries) and 2 readers following the feed from 0; it
 * fails with a description of the first violations, or after {@link FeedWorkload#TIME_LIMIT}
 * rather than hanging.
 *
 * <p>Subclass it once per backend and implement {@link #config()}; see {@link StorageTck}.
 */
public abstract class ConcurrencyTck extends StorageTck {

  @Test
  protected void feed_concurrentWritersAndReaders_everyReaderSeesEveryFinalState() throws Exception {
    String ns = newNamespace();
    long seed = System.nanoTime();
    FeedWorkload workload =
        new FeedWorkload(ns, List.of(storage()), List.of(storage()), 4, 2, 10_000, seed);
    List<String> failures = workload.run();
    assertThat(failures).as("invariant violations").isEmpty();
    assertThat(workload.writes()).isGreaterThanOrEqualTo(10_000);
    System.out.println("ConcurrencyTck: " + storage() + " took " + workload.writes()
        + " writes with " + workload.casRetries() + " compare-and-set retries (seed " + seed + ")");
  }

  @Test
  protected void write_concurrentCreatesOfOneId_exactlyOneWins() throws Exception {
    String ns = newNamespace();
    int threads = 8;
    for (int round = 0; round < 20; round++) {
      String id = "contended-" + round;
      CountDownLatch go = new CountDownLatch(1);
      ConcurrentLinkedQueue<WriteResult> results = new ConcurrentLinkedQueue<>();
      List<Thread> started = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String rev = "1-t" + t;
        Thread thread = new Thread(() -> {
          try {
            go.await();
            results.addAll(storage().documents().write(ns, List.of(item(id, rev, 0))));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        thread.start();
        started.add(thread);
      }
      go.countDown();
      for (Thread thread : started) {
        thread.join(60_000);
      }
      assertThat(results).hasSize(threads);
      List<WriteResult> wins = results.stream().filter(r -> r instanceof WriteResult.Written).toList();
      assertThat(wins).as("creates of %s that won", id).hasSize(1);
      long winnerSeq = ((WriteResult.Written) wins.get(0)).seq();
      assertThat(results.stream().filter(r -> r instanceof WriteResult.Conflict).toList())
          .hasSize(threads - 1)
          .allSatisfy(r -> assertThat(((WriteResult.Conflict) r).currentSeq()).isEqualTo(winnerSeq));
      StoredDocument doc = stored(ns, id);
      assertThat(doc.seq()).isEqualTo(winnerSeq);
    }
  }

  @Test
  protected void write_concurrentCompareAndSetIncrements_noLostUpdate() throws Exception {
    String ns = newNamespace();
    writeOne(ns, new WriteItem("counter", "0-c", false, FeedWorkload.hotState(0), 0, Optional.empty()));
    int threads = 4;
    int perThread = 100;
    AtomicInteger conflicts = new AtomicInteger();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread = new Thread(() -> {
        try {
          for (int i = 0; i < perThread; i++) {
            while (true) {
              StoredDocument current = stored(ns, "counter");
              int next = FeedWorkload.hotCount(current.state()) + 1;
              WriteItem item = new WriteItem("counter", next + "-c", false,
                  FeedWorkload.hotState(next), current.seq(), Optional.empty());
              if (storage().documents().write(ns, List.of(item)).get(0) instanceof WriteResult.Written) {
                break;
              }
              conflicts.incrementAndGet();
            }
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      });
      thread.start();
      started.add(thread);
    }
    for (Thread thread : started) {
      thread.join(120_000);
      assertThat(thread.isAlive()).as("incrementing thread still running after 120 s").isFalse();
    }
    assertThat(errors).isEmpty();
    assertThat(FeedWorkload.hotCount(stored(ns, "counter").state()))
        .as("increments acknowledged by %d threads (after %d conflicts)", threads, conflicts.get())
        .isEqualTo(threads * perThread);
  }

  @Test
  protected void write_atomicBatches_concurrentReaderSeesAllOrNothing() throws Exception {
    // Declared: a batch becomes visible all at once. Undeclared: items may appear one by one, but
    // every visible item is whole and the batch completes.
    boolean atomic = storage().capabilities().has(Capability.ATOMIC_BATCHES);
    String ns = newNamespace();
    int batches = 200;
    int size = 10;
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger written = new AtomicInteger();
    ConcurrentLinkedQueue<String> partial = new ConcurrentLinkedQueue<>();
    Thread reader = new Thread(() -> {
      java.util.Random random = new java.util.Random(1);
      while (!done.get() && partial.isEmpty()) {
        int b = Math.min(batches - 1, written.get() + random.nextInt(2));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < size; i++) {
          ids.add("b" + b + "-" + i);
        }
        var docs = storage().documents().getAll(ns, ids);
        int found = docs.size();
        for (var doc : docs) {
          if (!ids.contains(doc.id()) || doc.seq() <= 0) {
            partial.add("batch " + b + ": a torn item " + doc.id());
          }
        }
        if (atomic && found != 0 && found != size) {
          partial.add("batch " + b + ": " + found + " of " + size + " visible");
        }
      }
    });
    reader.start();
    try {
      for (int b = 0; b < batches; b++) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < size; i++) {
          ids.add("b" + b + "-" + i);
        }
        createAll(ns, ids);
        written.incrementAndGet();
      }
    } finally {
      done.set(true);
      reader.join(60_000);
    }
    assertThat(partial).as("batches seen in part").isEmpty();
    assertThat(storage().namespaces().get(ns).orElseThrow().documentCount()).isEqualTo(batches * size);
  }

  @Test
  protected void write_concurrentBatches_seqsAndTimestampsUniqueAndIncreasing() throws Exception {
    String ns = newNamespace();
    ConcurrentLinkedQueue<WriteResult.Written> all = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int number = t;
      Thread thread = new Thread(() -> {
        try {
          for (int b = 0; b < 50; b++) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i <= b % 4; i++) {
              ids.add("t" + number + "-" + b + "-" + i);
            }
            all.addAll(createAll(ns, ids));
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      });
      thread.start();
      started.add(thread);
    }
    for (Thread thread : started) {
      thread.join(TimeUnit.SECONDS.toMillis(120));
    }
    assertThat(errors).isEmpty();
    List<WriteResult.Written> sorted = new ArrayList<>(all);
    sorted.sort((a, b) -> Long.compare(a.seq(), b.seq()));
    for (int i = 1; i < sorted.size(); i++) {
      WriteResult.Written prev = sorted.get(i - 1);
      WriteResult.Written next = sorted.get(i);
      assertThat(next.seq()).as("seq after %s", prev).isGreaterThan(prev.seq());
      assertThat(next.timestamp()).as("timestamp of %s after %s", next, prev).isGreaterThan(prev.timestamp());
    }
    assertThat(storage().namespaces().get(ns).orElseThrow().lastSeq()).isEqualTo(sorted.getLast().seq());
  }
}
