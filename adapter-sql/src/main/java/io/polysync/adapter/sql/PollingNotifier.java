package io.polysync.adapter.sql;

import static io.polysync.adapter.sql.SqlTables.NAMESPACES;
import static io.polysync.adapter.sql.SqlTables.NS_ID;
import static io.polysync.adapter.sql.SqlTables.NS_LAST_SEQ;
import static io.polysync.adapter.sql.SqlTables.NS_NAME;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jooq.Record3;

/**
 * Signals other processes' commits where the database pushes nothing (SQLite, H2, MariaDB): a
 * daemon thread reads {@code last_seq} of the namespaces that have listeners, one indexed query per
 * interval, and signals those that moved. A namespace dropped and created again is recognized by
 * its new row id, since its sequence starts over.
 */
final class PollingNotifier implements SqlChangeSignals.Watcher, Runnable {
  private static final System.Logger LOG = System.getLogger(PollingNotifier.class.getName());

  /** Where a namespace was at the last look: its row id (-1 when absent) and last sequence. */
  private record Mark(long id, long seq) {}

  private final SqlStorage storage;
  private final SqlChangeSignals signals;
  private final Duration interval;
  private final ConcurrentMap<String, Mark> marks = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;
  private boolean failing;

  PollingNotifier(SqlStorage storage, SqlChangeSignals signals, Duration interval) {
    this.storage = storage;
    this.signals = signals;
    this.interval = interval;
    this.thread = new Thread(this, "polysync-" + storage.support.backend() + "-poller");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void watch(String namespace) {
    // The baseline is read before the listener is added: any commit after it moves last_seq past
    // it.
    marks.computeIfAbsent(namespace, ns -> read(Set.of(ns)).getOrDefault(ns, new Mark(-1, 0)));
  }

  @Override
  public void run() {
    while (running) {
      try {
        Thread.sleep(interval);
      } catch (InterruptedException e) {
        return;
      }
      if (!running) {
        return;
      }
      try {
        poll();
        failing = false;
      } catch (RuntimeException e) {
        if (!failing && running) {
          LOG.log(Level.WARNING, "polling for changes failed; retrying", e);
        }
        failing = true;
      }
    }
  }

  private void poll() {
    // Marks are never pruned: a mark dropped between watch() and the listener's arrival would
    // lose the baseline that commit detection depends on. One entry per name ever watched is cheap.
    Set<String> watched = signals.watched();
    if (watched.isEmpty()) {
      return;
    }
    Map<String, Mark> now = read(watched);
    for (String ns : watched) {
      Mark seen = marks.get(ns);
      Mark current = now.getOrDefault(ns, new Mark(-1, 0));
      if (seen == null) {
        marks.put(ns, current);
        continue;
      }
      boolean moved = current.id() != seen.id() ? current.seq() > 0 : current.seq() > seen.seq();
      marks.put(ns, current);
      if (moved) {
        signals.signal(ns, current.seq());
      }
    }
  }

  private Map<String, Mark> read(Set<String> namespaces) {
    List<byte[]> names = namespaces.stream().map(n -> n.getBytes(StandardCharsets.UTF_8)).toList();
    return storage.read(
        "polling for changes",
        ctx -> {
          Map<String, Mark> out = new HashMap<>();
          for (Record3<byte[], Long, Long> r :
              ctx.select(NS_NAME, NS_ID, NS_LAST_SEQ)
                  .from(NAMESPACES)
                  .where(NS_NAME.in(names))
                  .fetch()) {
            out.put(
                new String(r.value1(), StandardCharsets.UTF_8), new Mark(r.value2(), r.value3()));
          }
          return out;
        });
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
