package io.polysync.adapter.sql;

import io.polysync.spi.ChangeSignals;
import java.lang.System.Logger.Level;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The listeners of one storage. Commits of this storage are signalled right after they commit, on
 * the writer's thread; commits of other storages and processes arrive through a watcher started on
 * the first subscription ({@link PostgresNotifier} or {@link PollingNotifier}).
 */
final class SqlChangeSignals implements ChangeSignals {
  private static final System.Logger LOG = System.getLogger(SqlChangeSignals.class.getName());

  /** What watches the database for other processes' commits. */
  interface Watcher extends AutoCloseable {
    /** Called before a namespace's first listener is added, so no later commit is missed. */
    void watch(String namespace);

    @Override
    void close();
  }

  private final SqlStorage storage;
  private final ConcurrentMap<String, List<Listener>> listeners = new ConcurrentHashMap<>();
  private Watcher watcher;
  private boolean closed;

  SqlChangeSignals(SqlStorage storage) {
    this.storage = storage;
  }

  @Override
  public Subscription subscribe(String namespace, Listener listener) {
    Objects.requireNonNull(namespace, "namespace is null");
    Objects.requireNonNull(listener, "listener is null");
    storage.ensureOpen();
    Watcher w = watcher();
    if (w == null) {
      storage.ensureOpen();
      throw new IllegalStateException("signals closed");
    }
    w.watch(namespace);
    listeners.computeIfAbsent(namespace, k -> new CopyOnWriteArrayList<>()).add(listener);
    return new Subscription() {
      @Override
      public void close() {
        List<Listener> list = listeners.get(namespace);
        if (list != null) {
          list.remove(listener);
        }
      }
    };
  }

  private synchronized Watcher watcher() {
    if (watcher == null && !closed) {
      watcher =
          storage.support.nativeSignals()
              ? new PostgresNotifier(storage, this)
              : new PollingNotifier(storage, this, SqlStorage.POLL_INTERVAL);
    }
    return watcher;
  }

  /** The namespaces that have listeners now. */
  Set<String> watched() {
    Set<String> out = new HashSet<>();
    listeners.forEach(
        (k, v) -> {
          if (!v.isEmpty()) {
            out.add(k);
          }
        });
    return out;
  }

  boolean hasListeners(String namespace) {
    List<Listener> list = listeners.get(namespace);
    return list != null && !list.isEmpty();
  }

  void signal(String namespace, long seq) {
    List<Listener> list = listeners.get(namespace);
    if (list == null) {
      return;
    }
    for (Listener listener : list) {
      try {
        listener.changed(namespace, seq);
      } catch (RuntimeException e) {
        // The commit already happened: a faulty listener must fail neither it nor the others.
        LOG.log(Level.WARNING, "a change listener of " + namespace + " failed", e);
      }
    }
  }

  synchronized void close() {
    closed = true;
    if (watcher != null) {
      watcher.close();
    }
    listeners.clear();
  }
}
