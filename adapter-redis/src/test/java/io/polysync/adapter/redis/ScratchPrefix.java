package io.polysync.adapter.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.tck.Services;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * A key prefix of its own on the local Redis (127.0.0.1:6379, database 0) for one test class, with
 * every key under it removed afterwards. Tests never share keys with each other, with another
 * checkout's tests, or with anything else stored in that Redis.
 */
final class ScratchPrefix {
  static final String HOST = "127.0.0.1";
  static final int PORT = 6379;

  private final String prefix;

  private ScratchPrefix(String prefix) {
    this.prefix = prefix;
  }

  /** A fresh prefix (skipping loudly, or failing in CI, when Redis is absent). */
  static ScratchPrefix create() {
    Services.requireReachable(HOST, PORT, "Redis");
    return new ScratchPrefix("polysync-it-" + UUID.randomUUID().toString().substring(0, 12) + ":");
  }

  String prefix() {
    return prefix;
  }

  StorageConfig config() {
    return StorageConfig.of("redis://" + HOST + ":" + PORT + "/0?prefix=" + prefix);
  }

  /** A raw connection to the same Redis, for checks from outside the adapter. */
  static RedisClient client() {
    RedisClient client = RedisClient.create("redis://" + HOST + ":" + PORT + "/0");
    return client;
  }

  /** How many keys start with the prefix. */
  long count() {
    return scan(false);
  }

  /** Removes every key that starts with the prefix. */
  void drop() {
    scan(true);
  }

  private long scan(boolean delete) {
    RedisClient client = client();
    try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
      RedisCommands<byte[], byte[]> redis = c.sync();
      ScanArgs match = ScanArgs.Builder.matches(prefix.replace("*", "\\*") + "*").limit(1000);
      long n = 0;
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<byte[]> page = redis.scan(cursor, match);
        n += page.getKeys().size();
        if (delete && !page.getKeys().isEmpty()) {
          redis.unlink(page.getKeys().toArray(new byte[0][]));
        }
        cursor = page;
      } while (!cursor.isFinished());
      return n;
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
