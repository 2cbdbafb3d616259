package io.polysync.spi.tck;

import io.polysync.spi.ChangeSignals;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.JsonValue;
import io.polysync.spi.KeyRange;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.Storage;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Concurrent writers and feed-following readers over one namespace, possibly through several
 * storages on one database, and the checks of invariants 1 to 3 on the outcome.
 *
 * <p>Writers write batches of mixed sizes: new documents, rewrites and deletions of their own
 * documents, resurrections, and compare-and-set increments of a few hot documents that every
 * writer fights over (retrying each lost compare-and-set). Readers follow {@code changes} from 0
 * in pages of random size, waiting on change signals (or 20 ms) when caught up, until the writers
 * are done and they reached the final {@code lastSeq}. Then every reader must have seen every
 * document's final state, with sequence numbers and timestamps only ever going forward.
 */
// Subscriptions are held by try-with-resources only to be closed, never referenced.
@SuppressWarnings("try")
final class FeedWorkload {
  static final Duration TIME_LIMIT = Duration.ofSeconds(120);
  /**
   * How long a reader waits, once the writers are done, for a feed that makes no progress below
   * the final {@code lastSeq} before it reports what the feed never delivered.
   */
  static final Duration STALL_LIMIT = Duration.ofSeconds(10);
  private static final int HOT_DOCUMENTS = 8;
  private static final int[] BATCH_SIZES = {1, 1, 2, 3, 5, 10, 20, 50, 100};

  private final String ns;
  private final List<Storage> writerStorages;
  private final List<Storage> readerStorages;
  private final int writers;
  private final int readers;
  private final int totalWrites;
  private final long seed;
  private final long deadline;
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<WriteResult.Written> written = new ConcurrentLinkedQueue<>();
  private final AtomicLongArray hotWins = new AtomicLongArray(HOT_DOCUMENTS);
  private final AtomicLong casRetries = new AtomicLong();
  private volatile long target = -1;
  private volatile long targetSetNanos;
  private volatile boolean abort;

  FeedWorkload(
      String ns, List<Storage> writerStorages, List<Storage> readerStorages, int writers,
      int readers, int totalWrites, long seed) {
    this.ns = ns;
    this.writerStorages = List.copyOf(writerStorages);
    this.readerStorages = List.copyOf(readerStorages);
    this.writers = writers;
    this.readers = readers;
    this.totalWrites = totalWrites;
    this.seed = seed;
    this.deadline = System.nanoTime() + TIME_LIMIT.toNanos();
  }

  /** Runs the workload and returns every violation found, empty when the storage passed. */
  List<String> run() throws InterruptedException {
    List<Reader> readerTasks = new ArrayList<>();
    List<Thread> readerThreads = new ArrayList<>();
    for (int i = 0; i < readers; i++) {
      Reader reader = new Reader(i, readerStorages.get(i % readerStorages.size()));
      readerTasks.add(reader);
      readerThreads.add(start("tck-reader-" + i, reader));
    }
    List<Thread> writerThreads = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      Writer writer = new Writer(i, writerStorages.get(i % writerStorages.size()));
      writerThreads.add(start("tck-writer-" + i, writer));
    }
    join(writerThreads);
    if (abort || !failures.isEmpty()) {
      abort = true;
      join(readerThreads);
      return report("writers");
    }
    Storage first = writerStorages.get(0);
    targetSetNanos = System.nanoTime();
    target = first.namespaces().get(ns).orElseThrow().lastSeq();
    join(readerThreads);
    if (abort) {
      List<String> progress = new ArrayList<>();
      for (Reader r : readerTasks) {
        progress.add("reader " + r.number + " reached seq " + r.since + " of " + target);
      }
      failures.add("not done within " + TIME_LIMIT.toSeconds() + " s: " + progress);
      return report("time limit");
    }
    checkOutcome(first, readerTasks);
    return report("outcome");
  }

  private List<String> report(String stage) {
    List<String> all = new ArrayList<>(failures);
    if (all.size() > 20) {
      int more = all.size() - 20;
      all = new ArrayList<>(all.subList(0, 20));
      all.add("... and " + more + " more");
    }
    if (!all.isEmpty()) {
      all.add(0, "workload (seed " + seed + ", " + writers + " writers, " + readers
          + " readers, " + totalWrites + " writes) failed at " + stage + ":");
    }
    return all;
  }

  long casRetries() {
    return casRetries.get();
  }

  int writes() {
    return written.size();
  }

  private Thread start(String name, Runnable task) {
    Thread t =
        new Thread(
            () -> {
              try {
                task.run();
              } catch (Throwable e) {
                failures.add(Thread.currentThread().getName() + " failed: " + e);
                abort = true;
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void join(List<Thread> threads) throws InterruptedException {
    for (Thread t : threads) {
      long left = deadline - System.nanoTime();
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left) + 5_000));
      if (t.isAlive()) {
        abort = true;
        t.join(10_000);
      }
    }
  }

  private boolean timeUp() {
    if (System.nanoTime() > deadline) {
      abort = true;
    }
    return abort;
  }

  static byte[] hotState(int count) {
    return ("count=" + count).getBytes(StandardCharsets.UTF_8);
  }

  static int hotCount(byte[] state) {
    String s = new String(state, StandardCharsets.UTF_8);
    return Integer.parseInt(s.substring("count=".length()));
  }

  private final class Writer implements Runnable {
    private final int number;
    private final Storage storage;
    private final Random random;
    private final Map<String, StoredDocument> own = new HashMap<>();
    private final List<String> ownIds = new ArrayList<>();
    private int created;
    private int rev;

    Writer(int number, Storage storage) {
      this.number = number;
      this.storage = storage;
      this.random = new Random(seed * 31 + number);
    }

    @Override
    public void run() {
      int quota = totalWrites / writers + (number < totalWrites % writers ? 1 : 0);
      int done = 0;
      while (done < quota && !timeUp()) {
        int size = Math.min(quota - done, BATCH_SIZES[random.nextInt(BATCH_SIZES.length)]);
        Map<String, WriteItem> batch = new java.util.LinkedHashMap<>();
        Map<String, Integer> hotInBatch = new HashMap<>();
        while (batch.size() < size) {
          int pick = random.nextInt(100);
          if (pick < 45 || ownIds.isEmpty()) {
            String id = "w" + number + "-" + created++;
            batch.put(id, live(id, 0));
          } else if (pick < 92) {
            String id = ownIds.get(random.nextInt(ownIds.size()));
            if (batch.containsKey(id)) {
              continue;
            }
            StoredDocument current = own.get(id);
            boolean delete = !current.deleted() && random.nextInt(5) == 0;
            batch.put(id, delete ? dead(id, current.seq()) : live(id, current.seq()));
          } else {
            int k = random.nextInt(HOT_DOCUMENTS);
            String id = "hot-" + k;
            if (batch.containsKey(id)) {
              continue;
            }
            Optional<StoredDocument> current = storage.documents().get(ns, id);
            int count = current.map(d -> hotCount(d.state())).orElse(0);
            batch.put(id, hot(id, count + 1, current.map(StoredDocument::seq).orElse(0L)));
            hotInBatch.put(id, k);
          }
        }
        List<WriteItem> items = new ArrayList<>(batch.values());
        List<WriteResult> results = storage.documents().write(ns, items);
        if (results.size() != items.size()) {
          failures.add("writer " + number + ": " + items.size() + " items, " + results.size() + " results");
          abort = true;
          return;
        }
        for (int i = 0; i < items.size(); i++) {
          WriteItem item = items.get(i);
          WriteResult result = results.get(i);
          if (!result.id().equals(item.id())) {
            failures.add("writer " + number + ": result " + i + " is for " + result.id() + ", not " + item.id());
            abort = true;
            return;
          }
          Integer k = hotInBatch.get(item.id());
          if (result instanceof WriteResult.Written w) {
            accept(item, w, k);
            done++;
          } else if (result instanceof WriteResult.Conflict c && k != null) {
            casRetries.incrementAndGet();
            done += retryHot(item.id(), k);
          } else {
            failures.add("writer " + number + ": " + item.id() + " at expectedSeq "
                + item.expectedSeq() + " that only this writer writes got " + result);
            abort = true;
            return;
          }
        }
      }
    }

    private int retryHot(String id, int k) {
      for (int attempt = 0; attempt < 10_000 && !timeUp(); attempt++) {
        Optional<StoredDocument> current = storage.documents().get(ns, id);
        int count = current.map(d -> hotCount(d.state())).orElse(0);
        WriteItem item = hot(id, count + 1, current.map(StoredDocument::seq).orElse(0L));
        WriteResult result = storage.documents().write(ns, List.of(item)).get(0);
        if (result instanceof WriteResult.Written w) {
          accept(item, w, k);
          return 1;
        }
        casRetries.incrementAndGet();
        if (!(result instanceof WriteResult.Conflict)) {
          failures.add("writer " + number + ": compare-and-set of " + id + " got " + result);
          abort = true;
          return 0;
        }
      }
      if (!abort) {
        failures.add("writer " + number + ": compare-and-set of " + id + " never won");
        abort = true;
      }
      return 0;
    }

    private void accept(WriteItem item, WriteResult.Written w, Integer hot) {
      written.add(w);
      if (hot != null) {
        hotWins.incrementAndGet(hot);
        return;
      }
      if (!own.containsKey(item.id())) {
        ownIds.add(item.id());
      }
      own.put(item.id(), new StoredDocument(item.id(), w.seq(), w.timestamp(), item.winningRev(),
          item.deleted(), item.state()));
    }

    private WriteItem live(String id, long expectedSeq) {
      String r = (++rev) + "-w" + number;
      JsonValue.JsonObject body = new JsonValue.JsonObject(Map.of("rev", new JsonValue.JsonString(r)));
      return new WriteItem(id, r, false, StorageTck.state(id, r), expectedSeq, Optional.of(body));
    }

    private WriteItem dead(String id, long expectedSeq) {
      String r = (++rev) + "-d" + number;
      return new WriteItem(id, r, true, StorageTck.state(id, r), expectedSeq, Optional.empty());
    }

    private WriteItem hot(String id, int count, long expectedSeq) {
      JsonValue.JsonObject body =
          new JsonValue.JsonObject(Map.of("count", JsonValue.JsonNumber.of(count)));
      return new WriteItem(id, count + "-h", false, hotState(count), expectedSeq, Optional.of(body));
    }
  }

  private final class Reader implements Runnable {
    private final int number;
    private final Storage storage;
    private final Random random;
    private final Map<String, StoredDocument> seen = new HashMap<>();
    private final Semaphore wake = new Semaphore(0);
    private volatile long since;
    private long lastTimestamp;
    private long progressNanos = System.nanoTime();

    Reader(int number, Storage storage) {
      this.number = number;
      this.storage = storage;
      this.random = new Random(seed * 17 + number);
    }

    @Override
    public void run() {
      try (ChangeSignals.Subscription s = storage.signals().subscribe(ns, (n, seq) -> wake.release())) {
        follow();
      }
    }

    private void follow() {
      while (!timeUp()) {
        int limit = 1 + random.nextInt(random.nextBoolean() ? 10 : 200);
        List<StoredDocument> page = storage.documents().changes(ns, ChangesRange.after(since, limit));
        if (page.size() > limit) {
          fail("a page of limit " + limit + " had " + page.size() + " documents");
          return;
        }
        Set<String> inPage = new java.util.HashSet<>();
        for (StoredDocument d : page) {
          if (d.seq() <= since) {
            fail("after seq " + since + " the feed returned " + d.id() + " at seq " + d.seq()
                + " (sequence went backwards)");
            return;
          }
          if (d.timestamp() <= lastTimestamp) {
            fail(d.id() + " at seq " + d.seq() + " has timestamp " + d.timestamp()
                + ", not after " + lastTimestamp + " of the previous change");
            return;
          }
          if (!inPage.add(d.id())) {
            fail(d.id() + " appears twice in one page of changes");
            return;
          }
          since = d.seq();
          lastTimestamp = d.timestamp();
          seen.put(d.id(), d);
        }
        if (!page.isEmpty()) {
          progressNanos = System.nanoTime();
        }
        if (page.size() < limit) {
          long t = target;
          if (t >= 0 && since >= t) {
            return;
          }
          if (t >= 0
              && System.nanoTime() - Math.max(progressNanos, targetSetNanos) > STALL_LIMIT.toNanos()) {
            // Not an abort: the outcome check then names every write the feed never delivered.
            failures.add("reader " + number + ": the feed stopped at seq " + since + " for "
                + STALL_LIMIT.toSeconds() + " s after the writers finished, below lastSeq " + t);
            return;
          }
          try {
            wake.tryAcquire(20, TimeUnit.MILLISECONDS);
            wake.drainPermits();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }

    private void fail(String message) {
      failures.add("reader " + number + ": " + message);
      abort = true;
    }
  }

  private void checkOutcome(Storage storage, List<Reader> readerTasks) {
    TreeMap<String, StoredDocument> finals = new TreeMap<>();
    Optional<String> start = Optional.empty();
    while (true) {
      List<StoredDocument> page =
          storage.documents().range(ns, new KeyRange(start, Optional.empty(), true, false, true, 1000));
      for (StoredDocument d : page) {
        finals.put(d.id(), d);
      }
      if (page.size() < 1000) {
        break;
      }
      // Restart at the last id: it is returned again and simply overwritten.
      start = Optional.of(page.getLast().id());
    }
    NamespaceInfo info = storage.namespaces().get(ns).orElseThrow();
    long live = finals.values().stream().filter(d -> !d.deleted()).count();
    if (info.documentCount() != live || info.deletedCount() != finals.size() - live) {
      failures.add("counters say " + info.documentCount() + " live and " + info.deletedCount()
          + " deleted, the store holds " + live + " and " + (finals.size() - live));
    }
    long maxSeq = finals.values().stream().mapToLong(StoredDocument::seq).max().orElse(0);
    if (info.lastSeq() != maxSeq || target != maxSeq) {
      failures.add("lastSeq is " + info.lastSeq() + " (was " + target
          + " when writers finished), the highest stored seq is " + maxSeq);
    }

    for (Reader reader : readerTasks) {
      Set<String> ids = new LinkedHashSet<>(finals.keySet());
      ids.addAll(reader.seen.keySet());
      for (String id : ids) {
        StoredDocument expected = finals.get(id);
        StoredDocument got = reader.seen.get(id);
        if (expected == null) {
          failures.add("reader " + reader.number + " saw " + id + " at seq " + got.seq()
              + ", which is not in the store");
        } else if (got == null) {
          failures.add("reader " + reader.number + " never saw " + id + " (stored at seq "
              + expected.seq() + "): the feed skipped a committed write");
        } else if (got.seq() != expected.seq()) {
          failures.add("reader " + reader.number + " last saw " + id + " at seq " + got.seq()
              + ", its final state is at seq " + expected.seq() + ": the feed skipped a committed write");
        } else if (!Arrays.equals(got.state(), expected.state()) || got.deleted() != expected.deleted()
            || !got.winningRev().equals(expected.winningRev())) {
          failures.add("reader " + reader.number + " saw " + id + " at seq " + got.seq()
              + " with other content than the store holds");
        }
      }
    }

    for (int k = 0; k < HOT_DOCUMENTS; k++) {
      StoredDocument hot = finals.get("hot-" + k);
      long count = hot == null ? 0 : hotCount(hot.state());
      if (count != hotWins.get(k)) {
        failures.add("hot-" + k + " counts " + count + " but " + hotWins.get(k)
            + " compare-and-set increments were acknowledged: a lost update");
      }
    }

    TreeMap<Long, WriteResult.Written> bySeq = new TreeMap<>();
    for (WriteResult.Written w : written) {
      WriteResult.Written other = bySeq.put(w.seq(), w);
      if (other != null) {
        failures.add("seq " + w.seq() + " was given to both " + other.id() + " and " + w.id());
      }
    }
    WriteResult.Written previous = null;
    for (WriteResult.Written w : bySeq.values()) {
      if (previous != null && w.timestamp() <= previous.timestamp()) {
        failures.add("seq " + w.seq() + " (" + w.id() + ") has timestamp " + w.timestamp()
            + ", not after " + previous.timestamp() + " of seq " + previous.seq() + " (" + previous.id() + ")");
      }
      previous = w;
    }
    for (StoredDocument d : finals.values()) {
      WriteResult.Written w = bySeq.get(d.seq());
      if (w == null || !w.id().equals(d.id()) || w.timestamp() != d.timestamp()) {
        failures.add(d.id() + " is stored at seq " + d.seq() + " / " + d.timestamp()
            + ", which no acknowledged write of it returned (" + w + ")");
      }
    }
  }
}
