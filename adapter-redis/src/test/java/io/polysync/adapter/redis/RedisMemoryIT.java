package io.polysync.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.polysync.spi.Storage;
import io.polysync.spi.Storages;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Measures what one document costs in Redis memory: {@code used_memory} from {@code INFO memory}
 * before and after writing {@value #DOCUMENTS} documents with a 300-byte state each (ids of 10
 * bytes, revisions of 34), in batches of {@value #BATCH}, and again after rewriting each once. The
 * figure is printed for docs/adapters/redis.md; the assertion only guards against a layout change
 * that doubles it. Other clients writing to the same Redis meanwhile would skew the figure.
 */
final class RedisMemoryIT {
  private static final int DOCUMENTS = 50_000;
  private static final int BATCH = 500;
  private static final int STATE_BYTES = 300;

  @Test
  void memoryPerDocument_300ByteStates_printed() {
    ScratchPrefix scratch = ScratchPrefix.create();
    RedisClient client = ScratchPrefix.client();
    try (Storage storage = Storages.open(scratch.config());
        StatefulRedisConnection<String, String> raw = client.connect()) {
      storage.namespaces().create("memory", Map.of());
      Random random = new Random(1);
      HexFormat hex = HexFormat.of();
      long before = usedMemory(raw);
      long started = System.nanoTime();
      List<Long> seqs = new ArrayList<>();
      for (int from = 0; from < DOCUMENTS; from += BATCH) {
        List<WriteItem> items = new ArrayList<>();
        for (int i = from; i < from + BATCH; i++) {
          byte[] state = new byte[STATE_BYTES];
          random.nextBytes(state);
          byte[] digest = new byte[16];
          random.nextBytes(digest);
          items.add(new WriteItem(String.format("doc-%06d", i), "1-" + hex.formatHex(digest), false,
              state, 0, Optional.empty()));
        }
        for (WriteResult r : storage.documents().write("memory", items)) {
          seqs.add(((WriteResult.Written) r).seq());
        }
      }
      long millis = (System.nanoTime() - started) / 1_000_000;
      long written = usedMemory(raw);
      for (int from = 0; from < DOCUMENTS; from += BATCH) {
        List<WriteItem> items = new ArrayList<>();
        for (int i = from; i < from + BATCH; i++) {
          byte[] state = new byte[STATE_BYTES];
          random.nextBytes(state);
          byte[] digest = new byte[16];
          random.nextBytes(digest);
          items.add(new WriteItem(String.format("doc-%06d", i), "2-" + hex.formatHex(digest), false,
              state, seqs.get(i), Optional.empty()));
        }
        storage.documents().write("memory", items);
      }
      long rewritten = usedMemory(raw);
      StringBuilder perKey = new StringBuilder();
      for (String part : List.of("docs", "changes", "live")) {
        List<String> keys = raw.sync().keys(scratch.prefix() + "ns:*:" + part);
        assertThat(keys).hasSize(1);
        Long usage = raw.sync().memoryUsage(keys.get(0));
        perKey.append(String.format(" %s %.0f", part, usage / (double) DOCUMENTS));
      }
      double perDocument = (written - before) / (double) DOCUMENTS;
      double afterRewrite = (rewritten - before) / (double) DOCUMENTS;
      System.out.printf(
          "RedisMemoryIT: %d documents of %d-byte states: used_memory %d -> %d bytes, %.0f bytes per"
              + " document (%.0f after rewriting each once; MEMORY USAGE per document:%s); written"
              + " in %d ms, %.1f ms per batch of %d; %s%n",
          DOCUMENTS, STATE_BYTES, before, written, perDocument, afterRewrite, perKey, millis,
          millis / (double) (DOCUMENTS / BATCH), BATCH, serverVersion(raw));
      assertThat(perDocument).isBetween((double) STATE_BYTES, 3.0 * STATE_BYTES);
      storage.namespaces().drop("memory");
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      scratch.drop();
    }
  }

  private static long usedMemory(StatefulRedisConnection<String, String> raw) {
    return Long.parseLong(field(raw.sync().info("memory"), "used_memory"));
  }

  private static String serverVersion(StatefulRedisConnection<String, String> raw) {
    String server = raw.sync().info("server");
    return "Redis " + field(server, "redis_version") + ", " + field(raw.sync().info("memory"), "mem_allocator");
  }

  private static String field(String info, String name) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(name + ":")) {
        return line.substring(name.length() + 1).trim();
      }
    }
    throw new AssertionError("no " + name + " in INFO");
  }
}
