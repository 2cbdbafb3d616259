package io.polysync.engine.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Values read from storage, trusted for a bounded time because another process over the same
 * storage may change them; changes made through this process are invalidated at once.
 *
 * <p>A read that overlaps an invalidation is not kept: without the epoch check, a reader that
 * loaded the old value before a write could put it back after the writer's invalidation and
 * keep it for a whole bound in the very process that made the change.
 */
final class RecentCache<V> {
  private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();
  private final AtomicLong epoch = new AtomicLong();
  private final long ttlNanos;
  private final int limit;
  private final LongSupplier nanos;

  private record Entry<V>(V value, long loadedAt) {}

  RecentCache(long ttlMillis, int limit, LongSupplier nanos) {
    this.ttlNanos = ttlMillis * 1_000_000L;
    this.limit = limit;
    this.nanos = nanos;
  }

  /** The value cached for {@code key} if still within the bound, else null. */
  V fresh(String key) {
    if (ttlNanos <= 0) {
      return null;
    }
    Entry<V> e = entries.get(key);
    return e != null && nanos.getAsLong() - e.loadedAt < ttlNanos ? e.value : null;
  }

  /** A token to take before a storage read whose result is then given to {@link #offer}. */
  Stamp stamp() {
    return new Stamp(epoch.get(), nanos.getAsLong());
  }

  /**
   * Keeps {@code value}, read after {@code stamp} was taken; its age counts from the stamp, so
   * the bound holds even for a slow read.
   */
  void offer(String key, V value, Stamp stamp) {
    if (ttlNanos <= 0) {
      return;
    }
    if (entries.size() >= limit) {
      entries.clear();
    }
    Entry<V> e = new Entry<>(value, stamp.at);
    entries.put(key, e);
    if (epoch.get() != stamp.epoch) {
      entries.remove(key, e);
    }
  }

  /** Called after a change to {@code key} reached storage. */
  void invalidate(String key) {
    epoch.incrementAndGet();
    entries.remove(key);
  }

  record Stamp(long epoch, long at) {}
}
