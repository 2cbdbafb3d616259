package io.polysync.adapter.mongo;

import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import com.mongodb.client.model.changestream.FullDocument;
import io.polysync.spi.ChangeSignals;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.Document;

/**
 * The listeners of one storage. Its own commits are signalled right after they commit, on the
 * writer's thread. Other storages' and processes' commits arrive through one daemon thread started
 * by the first subscription: a change stream on {@code polysync_namespaces} where the server has
 * them (every commit updates the namespace's {@code lastSeq}), or a poll of the watched namespaces'
 * {@code lastSeq} every {@code pollInterval}.
 *
 * <p>The change stream asks for the full document on updates ({@code updateLookup}): the stand-in
 * server used in tests reports wrong document keys for updates, and the full document carries the
 * name and sequence anyway. It resumes after its last event when the stream breaks; when it cannot,
 * it opens a new one and signals every watched namespace, since something may have been missed.
 */
final class MongoChangeSignals implements ChangeSignals {
  private static final System.Logger LOG = System.getLogger(MongoChangeSignals.class.getName());

  private final MongoStorage storage;
  private final ConcurrentMap<String, List<Listener>> listeners = new ConcurrentHashMap<>();
  /** The last sequence signalled per namespace, with the uid it belonged to. */
  private final ConcurrentMap<String, Mark> marks = new ConcurrentHashMap<>();
  private Thread watcher;
  private volatile boolean running = true;
  private volatile MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor;

  private record Mark(String uid, long seq) {}

  MongoChangeSignals(MongoStorage storage) {
    this.storage = storage;
  }

  @Override
  public Subscription subscribe(String namespace, Listener listener) {
    Objects.requireNonNull(namespace, "namespace is null");
    Objects.requireNonNull(listener, "listener is null");
    storage.ensureOpen();
    storage.run(
        "subscribing to changes",
        () -> {
          startWatcher();
          if (!storage.changeStreams && !marks.containsKey(namespace)) {
            // The baseline is read before the listener is added: any later commit moves past it.
            marks.putIfAbsent(namespace, read(Set.of(namespace)).getOrDefault(namespace, new Mark("", 0)));
          }
        });
    listeners.computeIfAbsent(namespace, k -> new CopyOnWriteArrayList<>()).add(listener);
    return new Subscription() {
      private boolean closed;

      @Override
      public synchronized void close() {
        if (!closed) {
          closed = true;
          List<Listener> list = listeners.get(namespace);
          if (list != null) {
            list.remove(listener);
          }
        }
      }
    };
  }

  /** Starts watching on the first subscription; the change stream is open before it returns. */
  private synchronized void startWatcher() {
    if (watcher != null || !running) {
      return;
    }
    if (storage.changeStreams) {
      cursor = open(null);
    }
    watcher =
        new Thread(
            storage.changeStreams ? this::followStream : this::poll,
            "polysync-mongo-" + (storage.changeStreams ? "changes" : "poller"));
    watcher.setDaemon(true);
    watcher.start();
  }

  private MongoChangeStreamCursor<ChangeStreamDocument<Document>> open(BsonDocument resumeAfter) {
    var stream =
        storage.namespaceCollection
            .watch()
            .fullDocument(FullDocument.UPDATE_LOOKUP)
            .maxAwaitTime(500, TimeUnit.MILLISECONDS);
    if (resumeAfter != null) {
      stream = stream.resumeAfter(resumeAfter);
    }
    return stream.cursor();
  }

  private void followStream() {
    BsonDocument token = null;
    while (running) {
      try {
        ChangeStreamDocument<Document> event = cursor.tryNext();
        if (event != null) {
          token = event.getResumeToken();
          Document doc = event.getFullDocument();
          if (doc != null) {
            Object seq = doc.get("lastSeq");
            if (seq instanceof Number n) {
              onCommitted(doc.getString("name"), doc.getString("uid"), n.longValue());
            }
          }
        }
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        LOG.log(Level.DEBUG, "the change stream broke; reopening it", e);
        reopen(token);
      }
    }
  }

  private void reopen(BsonDocument token) {
    closeCursor();
    while (running) {
      try {
        try {
          cursor = open(token);
        } catch (RuntimeException e) {
          // The resume point is gone (or there was none): start afresh, and wake everybody.
          cursor = open(null);
          read(watched()).forEach((ns, mark) -> signal(ns, mark.seq()));
        }
        return;
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        LOG.log(Level.DEBUG, "cannot reopen the change stream; retrying", e);
        sleepQuietly(storage.settings.pollInterval().toMillis() * 5);
      }
    }
  }

  private void poll() {
    boolean failing = false;
    while (running) {
      sleepQuietly(storage.settings.pollInterval().toMillis());
      if (!running) {
        return;
      }
      try {
        Set<String> watched = watched();
        if (!watched.isEmpty()) {
          Map<String, Mark> now = read(watched);
          for (String ns : watched) {
            Mark current = now.getOrDefault(ns, new Mark("", 0));
            onCommitted(ns, current.uid(), current.seq());
          }
        }
        failing = false;
      } catch (RuntimeException e) {
        if (!failing && running) {
          LOG.log(Level.WARNING, "polling for changes failed; retrying", e);
        }
        failing = true;
      }
    }
  }

  /** Signals {@code ns} if it moved past the last sequence seen (or is a new namespace). */
  private void onCommitted(String ns, String uid, long seq) {
    if (ns == null || seq <= 0) {
      if (ns != null) {
        marks.put(ns, new Mark(uid == null ? "" : uid, seq));
      }
      return;
    }
    Mark next = new Mark(uid == null ? "" : uid, seq);
    Mark seen = marks.put(ns, next);
    if (seen == null || !seen.uid().equals(next.uid()) || seen.seq() < seq) {
      signal(ns, seq);
    }
  }

  private Map<String, Mark> read(Set<String> namespaces) {
    Map<String, String> byKey = new HashMap<>();
    for (String ns : namespaces) {
      byKey.put(MongoNamespaceStore.key(ns), ns);
    }
    Map<String, Mark> out = new HashMap<>();
    for (Document d :
        storage.namespaceCollection
            .find(Filters.in("_id", byKey.keySet()))
            .projection(new Document("name", 1).append("uid", 1).append("lastSeq", 1))) {
      out.put(d.getString("name"), new Mark(d.getString("uid"), MongoNamespaceStore.num(d, "lastSeq")));
    }
    return out;
  }

  private Set<String> watched() {
    Set<String> out = new HashSet<>();
    listeners.forEach(
        (k, v) -> {
          if (!v.isEmpty()) {
            out.add(k);
          }
        });
    return out;
  }

  /** Calls the listeners of {@code namespace}; a failing listener fails neither the others nor the caller. */
  void signal(String namespace, long seq) {
    List<Listener> list = listeners.get(namespace);
    if (list == null) {
      return;
    }
    for (Listener listener : list) {
      try {
        listener.changed(namespace, seq);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a change listener of " + namespace + " failed", e);
      }
    }
  }

  synchronized void close() {
    running = false;
    closeCursor();
    if (watcher != null) {
      watcher.interrupt();
      try {
        watcher.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    listeners.clear();
  }

  private void closeCursor() {
    var c = cursor;
    if (c != null) {
      try {
        c.close();
      } catch (RuntimeException e) {
        // Closing on the way out.
      }
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
