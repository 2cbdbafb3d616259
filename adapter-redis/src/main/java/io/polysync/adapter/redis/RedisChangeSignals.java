package io.polysync.adapter.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.polysync.spi.ChangeSignals;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.SyncException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Change signals by Redis pub/sub. The write script publishes the namespace's new sequence on
 * {@code PREFIX changes:NAME} as part of the same atomic step, so every commit, from any process,
 * is published exactly when it becomes readable (Redis runs nothing else in between and answers
 * a reader woken by the message after the script). This storage subscribes one channel per
 * namespace that has listeners, on a pub/sub connection of its own opened with the first
 * subscription; {@link #subscribe} returns once Redis confirmed the channel, so a commit after it
 * is never missed.
 *
 * <p>Pub/sub delivers at most once: messages published while the connection is down are lost.
 * After every reconnect this storage subscribes every watched channel again and then signals every
 * watched namespace with its current sequence, which covers the commits of the gap. Listeners run
 * on one daemon thread of this storage, never on Lettuce's I/O threads.
 */
final class RedisChangeSignals implements ChangeSignals {
  private static final System.Logger LOG = System.getLogger(RedisChangeSignals.class.getName());

  private final RedisStorage storage;
  private final RedisClient client;
  private final ConcurrentMap<String, List<Registration>> listeners = new ConcurrentHashMap<>();
  private StatefulRedisPubSubConnection<byte[], byte[]> pubsub;
  private volatile ExecutorService dispatcher;
  private boolean closed;

  /** One subscription: distinct even when the same listener subscribes twice. */
  private record Registration(Listener listener) {
    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(this);
    }
  }

  RedisChangeSignals(RedisStorage storage, RedisClient client) {
    this.storage = storage;
    this.client = client;
  }

  @Override
  public Subscription subscribe(String namespace, Listener listener) {
    Objects.requireNonNull(namespace, "namespace is null");
    Objects.requireNonNull(listener, "listener is null");
    storage.ensureOpen();
    Registration registration = new Registration(listener);
    synchronized (this) {
      try {
        StatefulRedisPubSubConnection<byte[], byte[]> c = connection();
        List<Registration> list = listeners.get(namespace);
        if (list == null) {
          // Confirmed by Redis before this returns: from here on every commit reaches us.
          c.sync().subscribe(storage.keys.channel(namespace));
          list = new CopyOnWriteArrayList<>();
          listeners.put(namespace, list);
        }
        list.add(registration);
      } catch (RuntimeException e) {
        throw storage.translate(e, "subscribing to changes of " + namespace);
      }
    }
    return () -> unsubscribe(namespace, registration);
  }

  private synchronized void unsubscribe(String namespace, Registration registration) {
    List<Registration> list = listeners.get(namespace);
    if (list == null || !list.remove(registration) || !list.isEmpty()) {
      return;
    }
    listeners.remove(namespace);
    if (pubsub != null && !closed) {
      try {
        pubsub.async().unsubscribe(storage.keys.channel(namespace));
      } catch (RuntimeException e) {
        // Disconnected: the channel is not subscribed again after the reconnect, as it is no longer
        // watched, and a stray message finds no listener.
      }
    }
  }

  /** The pub/sub connection, opened on first use. */
  private StatefulRedisPubSubConnection<byte[], byte[]> connection() {
    if (closed) {
      storage.ensureOpen();
      throw new IllegalStateException("change signals are closed");
    }
    if (pubsub == null) {
      dispatcher =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "polysync-redis-signals");
                t.setDaemon(true);
                return t;
              });
      StatefulRedisPubSubConnection<byte[], byte[]> c = client.connectPubSub(ByteArrayCodec.INSTANCE);
      c.addListener(
          new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] message) {
              received(channel, message);
            }
          });
      c.addListener(
          new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
              dispatch(RedisChangeSignals.this::resubscribe);
            }
          });
      pubsub = c;
    }
    return pubsub;
  }

  private void received(byte[] channel, byte[] message) {
    String namespace = storage.keys.namespaceOf(channel);
    if (namespace == null || !listeners.containsKey(namespace)) {
      return;
    }
    long seq;
    try {
      seq = Long.parseLong(new String(message, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      return; // Someone else's message on our channel: not ours to act on.
    }
    dispatch(() -> signal(namespace, seq));
  }

  /** After a reconnect: subscribe every watched channel again, then cover the gap. */
  private void resubscribe() {
    List<String> watched = new ArrayList<>(listeners.keySet());
    if (watched.isEmpty()) {
      return;
    }
    try {
      StatefulRedisPubSubConnection<byte[], byte[]> c;
      synchronized (this) {
        if (closed || pubsub == null) {
          return;
        }
        c = pubsub;
      }
      c.sync().subscribe(watched.stream().map(storage.keys::channel).toArray(byte[][]::new));
      for (String namespace : watched) {
        Optional<NamespaceInfo> info = storage.namespaces().get(namespace);
        if (info.isPresent() && info.get().lastSeq() > 0) {
          signal(namespace, info.get().lastSeq());
        }
      }
    } catch (SyncException | io.lettuce.core.RedisException e) {
      if (!storage.isClosed()) {
        // The next reconnect tries again.
        LOG.log(Level.WARNING, "re-subscribing to changes after a reconnect failed: " + e);
      }
    }
  }

  private void signal(String namespace, long seq) {
    List<Registration> list = listeners.get(namespace);
    if (list == null) {
      return;
    }
    for (Registration r : list) {
      try {
        r.listener().changed(namespace, seq);
      } catch (RuntimeException e) {
        // The commit already happened: a faulty listener must fail neither it nor the others.
        LOG.log(Level.WARNING, "a change listener of " + namespace + " failed", e);
      }
    }
  }

  private void dispatch(Runnable task) {
    ExecutorService d = dispatcher;
    if (d == null) {
      return;
    }
    try {
      d.execute(task);
    } catch (RejectedExecutionException e) {
      // Closed.
    }
  }

  synchronized void close() {
    closed = true;
    listeners.clear();
    if (pubsub != null) {
      try {
        pubsub.close();
      } catch (RuntimeException e) {
        // Closing either way.
      }
    }
    if (dispatcher != null) {
      dispatcher.shutdownNow();
    }
  }
}
