package io.polysync.bootstrap;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.polysync.protocol.spi.RateLimiter;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server's {@link RateLimiter}: one token bucket (bucket4j) per client address and one per
 * user, each refilled at a steady rate up to its burst. Process-local: behind a load balancer each
 * process grants its own allowance.
 *
 * <p>The buckets live in a map bounded by {@code limits.rate.max_tracked}: past it, buckets that
 * are full again (their client has been quiet) are dropped first, since a new bucket is the same;
 * if that is not enough, others are, which only hands those clients a fresh burst.
 */
final class TokenBucketRateLimiter implements RateLimiter {
  /** Requests per second an authenticated user may keep up, across every protocol. */
  static final long DEFAULT_PER_USER = 500;
  static final long DEFAULT_PER_USER_BURST = 5_000;
  /** Requests per second one client address may keep up, whoever signs in from it. */
  static final long DEFAULT_PER_ADDRESS = 1_000;
  static final long DEFAULT_PER_ADDRESS_BURST = 10_000;
  static final long DEFAULT_MAX_TRACKED = 100_000;

  /** A refill rate per second (fractions allowed) and a capacity; a rate of 0 turns the limit off. */
  record Limit(double perSecond, long burst) {
    Limit {
      if (!(perSecond >= 0) || Double.isInfinite(perSecond) || burst < 0 || perSecond > 0 && burst < 1) {
        throw new IllegalArgumentException("a rate limit needs a rate >= 0 and a burst >= 1");
      }
    }

    boolean off() {
      return perSecond == 0;
    }

    Bucket bucket() {
      // Whole tokens per second where the rate allows, else one token every 1/rate seconds.
      return Bucket.builder().addLimit(b -> perSecond >= 1 && perSecond == Math.rint(perSecond)
              ? b.capacity(burst).refillGreedy((long) perSecond, Duration.ofSeconds(1))
              : b.capacity(burst).refillGreedy(1, Duration.ofNanos(Math.max(1, Math.round(1e9 / perSecond)))))
          .build();
    }
  }

  private final Limit perUser;
  private final Limit perAddress;
  private final int maxTracked;
  private final Map<String, Bucket> users = new ConcurrentHashMap<>();
  private final Map<String, Bucket> addresses = new ConcurrentHashMap<>();
  private final AtomicBoolean sweeping = new AtomicBoolean();

  TokenBucketRateLimiter(Limit perUser, Limit perAddress, int maxTracked) {
    this.perUser = perUser;
    this.perAddress = perAddress;
    this.maxTracked = maxTracked;
  }

  /**
   * From the settings {@code limits.rate.per_user}, {@code limits.rate.per_user.burst}, {@code
   * limits.rate.per_address}, {@code limits.rate.per_address.burst} and {@code
   * limits.rate.max_tracked}; {@link RateLimiter#unlimited()} when both rates are 0.
   */
  static RateLimiter fromSettings(Map<String, String> settings) {
    Limit user = new Limit(rate(settings, "limits.rate.per_user", DEFAULT_PER_USER),
        number(settings, "limits.rate.per_user.burst", DEFAULT_PER_USER_BURST));
    Limit address = new Limit(rate(settings, "limits.rate.per_address", DEFAULT_PER_ADDRESS),
        number(settings, "limits.rate.per_address.burst", DEFAULT_PER_ADDRESS_BURST));
    long tracked = number(settings, "limits.rate.max_tracked", DEFAULT_MAX_TRACKED);
    if (tracked < 1 || tracked > Integer.MAX_VALUE) {
      throw new StartupException("--setting limits.rate.max_tracked must be between 1 and " + Integer.MAX_VALUE);
    }
    if (user.off() && address.off()) {
      return RateLimiter.unlimited();
    }
    return new TokenBucketRateLimiter(user, address, (int) tracked);
  }

  private static double rate(Map<String, String> settings, String key, double fallback) {
    String value = settings.get(key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      double rate = Double.parseDouble(value.trim());
      if (!(rate >= 0) || Double.isInfinite(rate)) {
        throw new StartupException("--setting " + key + " must be a number of requests per second >= 0: " + value);
      }
      return rate;
    } catch (NumberFormatException e) {
      throw new StartupException("--setting " + key + " is not a number of requests per second: " + value, e);
    }
  }

  private static long number(Map<String, String> settings, String key, long fallback) {
    String value = settings.get(key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long n = Long.parseLong(value.trim());
      if (n < 0) {
        throw new StartupException("--setting " + key + " must not be negative: " + value);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new StartupException("--setting " + key + " is not a whole number: " + value, e);
    }
  }

  @Override
  public Optional<Duration> acquireAddress(String address) {
    return acquire(addresses, perAddress, address);
  }

  @Override
  public Optional<Duration> acquireUser(String name) {
    return acquire(users, perUser, name);
  }

  private Optional<Duration> acquire(Map<String, Bucket> buckets, Limit limit, String key) {
    if (limit.off()) {
      return Optional.empty();
    }
    Bucket bucket = buckets.computeIfAbsent(key, k -> limit.bucket());
    if (buckets.size() > maxTracked) {
      sweep(buckets, limit);
    }
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    return probe.isConsumed() ? Optional.empty() : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
  }

  /** Brings the map back to 90 % of its bound, quiet clients first; one sweep at a time. */
  private void sweep(Map<String, Bucket> buckets, Limit limit) {
    if (!sweeping.compareAndSet(false, true)) {
      return;
    }
    try {
      int target = Math.max(1, maxTracked - maxTracked / 10);
      buckets.values().removeIf(b -> b.getAvailableTokens() >= limit.burst());
      Iterator<String> keys = buckets.keySet().iterator();
      while (buckets.size() > target && keys.hasNext()) {
        keys.next();
        keys.remove();
      }
    } finally {
      sweeping.set(false);
    }
  }

  /** How many buckets are kept, for tests. */
  int tracked() {
    return users.size() + addresses.size();
  }
}
