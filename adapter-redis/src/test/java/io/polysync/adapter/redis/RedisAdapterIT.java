package io.polysync.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.polysync.spi.ChangeSignals;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.KeyRange;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageError;
import io.polysync.spi.Storages;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.SyncException;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the compliance kit cannot see of this adapter: staging of large batches, a server that lost
 * its scripts, a dropped pub/sub connection, key prefixes, and the translation of connection and
 * authentication failures.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("try")
final class RedisAdapterIT {
  private ScratchPrefix scratch;
  private final List<Storage> opened = new ArrayList<>();

  @BeforeAll
  void prefix() {
    scratch = ScratchPrefix.create();
  }

  @AfterAll
  void cleanUp() {
    opened.forEach(Storage::close);
    if (scratch != null) {
      scratch.drop();
    }
  }

  private Storage open(StorageConfig config) {
    Storage s = Storages.open(config);
    opened.add(s);
    return s;
  }

  private static WriteItem item(String id, byte[] state, long expectedSeq) {
    return new WriteItem(id, "1-a", false, state, expectedSeq, Optional.empty());
  }

  @Test
  void write_batchBeyondInlineBytes_stagedAtomicallyAndStagingKeysGone() {
    Storage storage =
        open(new StorageConfig(scratch.config().uri(), Map.of("inline.bytes", "4096")));
    storage.namespaces().create("staged", Map.of());
    Random random = new Random(7);
    List<WriteItem> items = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      byte[] state = new byte[1000 + random.nextInt(3000)];
      random.nextBytes(state);
      items.add(item("d" + i, state, i == 5 ? 99 : 0));
    }
    List<WriteResult> results = storage.documents().write("staged", items);
    assertThat(results.get(5)).isEqualTo(new WriteResult.Conflict("d5", 0));
    for (int i = 0; i < items.size(); i++) {
      if (i != 5) {
        assertThat(results.get(i)).as("item %d", i).isInstanceOf(WriteResult.Written.class);
        assertThat(storage.documents().get("staged", "d" + i).orElseThrow().state())
            .isEqualTo(items.get(i).state());
      }
    }
    assertThat(storage.namespaces().get("staged").orElseThrow().documentCount()).isEqualTo(19);
    RedisClient client = ScratchPrefix.client();
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      assertThat(c.sync().keys(scratch.prefix() + "stage:*")).isEmpty();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    storage.namespaces().drop("staged");
  }

  @Test
  void write_afterScriptFlush_scriptsLoadedAgain() {
    Storage storage = open(scratch.config());
    storage.namespaces().create("flushed", Map.of());
    RedisClient client = ScratchPrefix.client();
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().scriptFlush();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    WriteResult w = storage.documents().write("flushed", List.of(item("a", new byte[] {1}, 0))).get(0);
    assertThat(w).isInstanceOf(WriteResult.Written.class);
    assertThat(storage.documents().get("flushed", "a")).isPresent();
    storage.namespaces().drop("flushed");
  }

  @Test
  void signals_pubSubConnectionKilled_commitsOfTheGapStillSignalled() throws Exception {
    Storage storage = open(scratch.config());
    storage.namespaces().create("killed", Map.of());
    LinkedBlockingQueue<Long> seqs = new LinkedBlockingQueue<>();
    try (ChangeSignals.Subscription s =
        storage.signals().subscribe("killed", (ns, seq) -> seqs.add(seq))) {
      RedisClient client = ScratchPrefix.client();
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        // Every pub/sub client of this server: the other storages of this JVM reconnect too.
        c.sync().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub());
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
      long last = 0;
      for (int i = 0; i < 5; i++) {
        last = ((WriteResult.Written)
            storage.documents().write("killed", List.of(item("d" + i, new byte[] {1}, 0))).get(0)).seq();
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      long seen = 0;
      while (seen < last && System.nanoTime() < deadline) {
        Long seq = seqs.poll(100, TimeUnit.MILLISECONDS);
        if (seq != null) {
          seen = Math.max(seen, seq);
        }
      }
      assertThat(seen).as("highest signalled sequence after the reconnect").isEqualTo(last);
    }
    storage.namespaces().drop("killed");
  }

  @Test
  void write_commandConnectionKilled_unavailableThenRecovers() throws Exception {
    String name = "polysync-it-kill-" + System.nanoTime();
    Storage storage =
        open(new StorageConfig(scratch.config().uri() + "&clientName=" + name, Map.of()));
    storage.namespaces().create("reconnect", Map.of());
    RedisClient client = ScratchPrefix.client();
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      long killed = 0;
      for (String line : c.sync().clientList().split("\n")) {
        if (line.contains(" name=" + name + " ")) {
          String id = line.substring(line.indexOf("id=") + 3, line.indexOf(' ', line.indexOf("id=")));
          killed += c.sync().clientKill(io.lettuce.core.KillArgs.Builder.id(Long.parseLong(id)));
        }
      }
      assertThat(killed).as("connections named %s", name).isPositive();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    int unavailable = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    WriteResult result = null;
    while (result == null && System.nanoTime() < deadline) {
      try {
        result = storage.documents().write("reconnect", List.of(item("after", new byte[] {1}, 0))).get(0);
      } catch (SyncException e) {
        assertThat(e.errorCode()).as(e.getMessage()).isEqualTo(StorageError.UNAVAILABLE);
        assertThat(e.getCause().getClass().getName()).startsWith("io.lettuce");
        unavailable++;
        Thread.sleep(50);
      }
    }
    // A write refused while reconnecting never reached Redis, so the retry creates the document.
    assertThat(result).as("write after the reconnect (%d refused before)", unavailable)
        .isInstanceOf(WriteResult.Written.class);
    storage.namespaces().drop("reconnect");
  }

  @Test
  void prefixes_sameNamespaceName_separateDeployments() {
    Storage first = open(scratch.config());
    Storage second =
        open(new StorageConfig(scratch.config().uri(), Map.of("prefix", scratch.prefix() + "other:")));
    first.namespaces().create("shared-name", Map.of("who", "first"));
    assertThat(second.namespaces().get("shared-name")).isEmpty();
    second.namespaces().create("shared-name", Map.of("who", "second"));
    first.documents().write("shared-name", List.of(item("only-first", new byte[] {1}, 0)));
    assertThat(second.documents().range("shared-name", KeyRange.all(10))).isEmpty();
    assertThat(second.documents().changes("shared-name", ChangesRange.after(0, 10))).isEmpty();
    assertThat(first.namespaces().get("shared-name").orElseThrow().metadata()).containsEntry("who", "first");
    first.namespaces().drop("shared-name");
    assertThat(second.namespaces().get("shared-name")).isPresent();
    second.namespaces().drop("shared-name");
  }

  @Test
  void range_manyTombstonesBetween_limitCountsLiveOnly() {
    Storage storage = open(scratch.config());
    storage.namespaces().create("tombstones", Map.of());
    List<WriteItem> items = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      items.add(new WriteItem(String.format("k%03d", i), "1-a", i % 10 != 0, new byte[] {1}, 0, Optional.empty()));
    }
    storage.documents().write("tombstones", items);
    List<StoredDocument> live = storage.documents().range("tombstones", KeyRange.all(5));
    assertThat(live).extracting(StoredDocument::id).containsExactly("k000", "k010", "k020", "k030", "k040");
    KeyRange withDeleted = new KeyRange(Optional.of("k005"), Optional.empty(), true, true, true, 4);
    assertThat(storage.documents().range("tombstones", withDeleted))
        .extracting(StoredDocument::id)
        .containsExactly("k005", "k004", "k003", "k002");
    storage.namespaces().drop("tombstones");
  }

  @Test
  void open_nothingListening_unavailableQuickly() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    long start = System.nanoTime();
    SyncException e =
        catchThrowableOfType(
            SyncException.class,
            () -> Storages.open(StorageConfig.of("redis://:hunter2@127.0.0.1:" + port + "/0")));
    assertThat(e.errorCode()).isEqualTo(StorageError.UNAVAILABLE);
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage()).doesNotContain("hunter2");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void open_wrongPassword_invalidConfigurationWithoutThePassword() {
    SyncException e =
        catchThrowableOfType(
            SyncException.class,
            () -> Storages.open(StorageConfig.of(
                "redis://:not-the-password-x9@" + ScratchPrefix.HOST + ":" + ScratchPrefix.PORT + "/0")));
    assertThat(e.errorCode()).as(e.getMessage()).isEqualTo(StorageError.INVALID_CONFIGURATION);
    assertThat(e.getMessage()).doesNotContain("not-the-password-x9");
    Throwable cause = e.getCause();
    while (cause != null) {
      assertThat(String.valueOf(cause.getMessage())).doesNotContain("not-the-password-x9");
      cause = cause.getCause();
    }
  }

  @Test
  void open_databaseOutOfRange_invalidConfiguration() {
    SyncException e =
        catchThrowableOfType(
            SyncException.class,
            () -> Storages.open(StorageConfig.of(
                "redis://" + ScratchPrefix.HOST + ":" + ScratchPrefix.PORT + "/99999")));
    assertThat(e.errorCode()).as(e.getMessage()).isEqualTo(StorageError.INVALID_CONFIGURATION);
  }
}
