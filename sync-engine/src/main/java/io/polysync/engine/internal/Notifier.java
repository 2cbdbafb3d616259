package io.polysync.engine.internal;

import io.polysync.spi.ChangeSignals;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Fans the storage's change signals out to waiting readers: one subscription per namespace, taken
 * when its first reader waits and kept until the engine closes.
 *
 * <p>A reader notes the channel's version before it reads the current sequence, and then waits
 * only while the version is unchanged; a commit signalled between its read and its wait bumps the
 * version, so no wake-up is lost. Waiting parks on a {@link Condition}, which releases a virtual
 * thread's carrier.
 */
final class Notifier implements AutoCloseable {
  private final ChangeSignals signals;
  private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  Notifier(ChangeSignals signals) {
    this.signals = signals;
  }

  private static final class Channel implements ChangeSignals.Listener {
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    long version;
    long signalledSeq;
    ChangeSignals.Subscription subscription;

    @Override
    public void changed(String namespace, long seq) {
      lock.lock();
      try {
        version++;
        signalledSeq = Math.max(signalledSeq, seq);
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Waits until the namespace's sequence passes {@code since}.
   *
   * @param currentSeq reads the namespace's latest sequence from storage
   * @return the latest sequence known when it returned
   */
  long await(String namespace, long since, Duration timeout, LongSupplier currentSeq) {
    Channel channel = channel(namespace);
    long deadline = System.nanoTime() + saturatedNanos(timeout);
    channel.lock.lock();
    try {
      while (true) {
        long version = channel.version;
        long current;
        channel.lock.unlock();
        try {
          current = currentSeq.getAsLong();
        } finally {
          channel.lock.lock();
        }
        if (current > since || closed) {
          return current;
        }
        while (channel.version == version) {
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0 || closed) {
            return current;
          }
          channel.changed.awaitNanos(remaining);
        }
        if (channel.signalledSeq > since) {
          return channel.signalledSeq;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return since;
    } finally {
      channel.lock.unlock();
    }
  }

  private Channel channel(String namespace) {
    Channel existing = channels.get(namespace);
    if (existing != null) {
      return existing;
    }
    return channels.computeIfAbsent(namespace, ns -> {
      Channel channel = new Channel();
      channel.subscription = signals.subscribe(ns, channel);
      return channel;
    });
  }

  /**
   * Wakes this process's waiters right after its own commit, without waiting for the storage's
   * signal, which may come by polling when the adapter has no native signals.
   */
  void committed(String namespace, long seq) {
    Channel channel = channels.get(namespace);
    if (channel != null) {
      channel.changed(namespace, seq);
    }
  }

  /** Drops the subscription of a namespace that no longer exists. */
  void forget(String namespace) {
    Channel channel = channels.remove(namespace);
    if (channel != null) {
      channel.subscription.close();
      channel.changed(namespace, 0);
    }
  }

  private static long saturatedNanos(Duration timeout) {
    try {
      return Math.max(0, timeout.toNanos());
    } catch (ArithmeticException e) {
      return TimeUnit.DAYS.toNanos(365 * 10);
    }
  }

  @Override
  public void close() {
    closed = true;
    for (String ns : channels.keySet()) {
      forget(ns);
    }
  }
}
