package io.polysync.adapter.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.polysync.spi.Capability;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.JsonValue;
import io.polysync.spi.KeyRange;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.Query;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageError;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.SyncException;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The write lease and the watermark on the stand-in: waiting, expiry and takeover, fencing of a
 * holder that lost its lease, renewal, and what readers see of a holder that died mid-batch and
 * how the next writer rolls it back. Also the capabilities and refusals of an open on the
 * stand-in, which has neither transactions nor (without its oplog) change streams.
 */
final class MongoLeaseTest {
  private final String uri = StandInServer.freshUri("lease");
  private final List<MongoStorage> opened = new ArrayList<>();

  private MongoStorage open(long leaseMillis) {
    MongoStorage s =
        (MongoStorage) new MongoStorageProvider()
            .open(new StorageConfig(uri, Map.of("leaseTimeout", String.valueOf(leaseMillis))));
    opened.add(s);
    return s;
  }

  @AfterEach
  void close() {
    opened.forEach(MongoStorage::close);
  }

  private static WriteItem item(String id, String rev, long expectedSeq) {
    return new WriteItem(
        id, rev, false, (id + "@" + rev).getBytes(StandardCharsets.UTF_8), expectedSeq,
        Optional.of(JsonValue.JsonObject.empty()));
  }

  private static WriteResult.Written written(WriteResult r) {
    assertThat(r).isInstanceOf(WriteResult.Written.class);
    return (WriteResult.Written) r;
  }

  @Test
  void acquire_free_tokenIncreasesWithEveryAcquisition() {
    MongoStorage a = open(10_000);
    a.namespaces().create("ns", Map.of());
    MongoLeases.Lease first = a.leases.acquire("ns");
    assertThat(a.leases.release(first)).isTrue();
    MongoLeases.Lease second = a.leases.acquire("ns");
    assertThat(second.token).isGreaterThan(first.token);
    assertThat(second.takenOver).isFalse();
    assertThat(a.leases.release(first)).as("an old token releases nothing").isFalse();
    assertThat(a.leases.release(second)).isTrue();
  }

  @Test
  void acquire_unknownNamespace_namespaceNotFound() {
    MongoStorage a = open(10_000);
    SyncException e = catchThrowableOfType(SyncException.class, () -> a.leases.acquire("missing"));
    assertThat(e.errorCode()).isEqualTo(StorageError.NAMESPACE_NOT_FOUND);
  }

  @Test
  void acquire_heldByLiveHolder_waitsForRelease() throws Exception {
    MongoStorage a = open(10_000);
    MongoStorage b = open(10_000);
    a.namespaces().create("ns", Map.of());
    MongoLeases.Lease held = a.leases.acquire("ns");
    CompletableFuture<MongoLeases.Lease> waiting = CompletableFuture.supplyAsync(() -> b.leases.acquire("ns"));
    Thread.sleep(400);
    assertThat(waiting).isNotDone();
    a.leases.release(held);
    MongoLeases.Lease next = waiting.get(5, TimeUnit.SECONDS);
    assertThat(next.takenOver).isFalse();
    assertThat(next.token).isGreaterThan(held.token);
    b.leases.release(next);
  }

  @Test
  void acquire_holderDied_takenOverAfterTimeoutAndOldHolderFenced() throws Exception {
    MongoStorage a = open(600);
    MongoStorage b = open(600);
    a.namespaces().create("ns", Map.of());
    MongoLeases.Lease dead = a.leases.acquire("ns");
    long start = System.nanoTime();
    MongoLeases.Lease taken = b.leases.acquire("ns");
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(taken.takenOver).isTrue();
    assertThat(waitedMillis).as("waited a whole timeout first").isGreaterThanOrEqualTo(600);
    assertThat(taken.token).isGreaterThan(dead.token);

    // The old holder can neither commit nor renew nor release any more.
    SyncException commit =
        catchThrowableOfType(SyncException.class, () -> a.leases.commit(dead, new Document("lastSeq", 99L)));
    assertThat(commit.errorCode()).isEqualTo(StorageError.UNAVAILABLE);
    Thread.sleep(250);
    SyncException renew = catchThrowableOfType(SyncException.class, () -> a.leases.ensureHeld(dead));
    assertThat(renew.errorCode()).isEqualTo(StorageError.UNAVAILABLE);
    assertThat(a.leases.release(dead)).isFalse();
    assertThat(a.namespaces().get("ns").orElseThrow().lastSeq()).isZero();
    assertThat(b.leases.release(taken)).isTrue();
  }

  @Test
  void ensureHeld_renewingHolder_neverTakenOver() throws Exception {
    MongoStorage a = open(600);
    MongoStorage b = open(600);
    a.namespaces().create("ns", Map.of());
    MongoLeases.Lease held = a.leases.acquire("ns");
    CompletableFuture<MongoLeases.Lease> waiting = CompletableFuture.supplyAsync(() -> b.leases.acquire("ns"));
    for (int i = 0; i < 15; i++) {
      Thread.sleep(100);
      a.leases.ensureHeld(held);
    }
    assertThat(waiting).as("a holder that renews keeps its lease").isNotDone();
    a.leases.release(held);
    assertThat(waiting.get(5, TimeUnit.SECONDS).takenOver).isFalse();
  }

  /**
   * A holder writes part of a batch with the lease writer's own steps and dies before committing:
   * readers on another storage see the namespace as it was, and the next writer takes the lease
   * over, rolls the uncommitted writes back and writes.
   */
  @Test
  void write_holderDiedMidBatch_readersSeeCommittedStateAndNextWriterRollsBack() {
    MongoStorage a = open(500);
    MongoStorage b = open(500);
    a.namespaces().create("ns", Map.of());
    List<WriteResult> first =
        a.documents().write("ns", List.of(item("kept", "1-a", 0), item("changed", "1-a", 0)));
    long keptSeq = written(first.get(0)).seq();
    long changedSeq = written(first.get(1)).seq();
    NamespaceInfo before = a.namespaces().get("ns").orElseThrow();

    // The dying holder: takes the lease and applies a new document and a rewrite, no commit.
    MongoLeases.Lease lease = a.leases.acquire("ns");
    MongoNamespaceStore.Ns ns = lease.ns;
    List<WriteItem> items = List.of(item("ghost", "1-g", 0), item("changed", "2-b", changedSeq));
    MongoLeaseWriter writer = (MongoLeaseWriter) a.writer;
    Map<String, Document> current =
        writer.readCurrent(null, ns.uid(), List.of(MongoKeys.hex("ghost"), MongoKeys.hex("changed")));
    MongoWritePlan plan =
        MongoWritePlan.plan(items, new WriteResult[2], current, ns.lastSeq(), ns.lastTs(), ns.docs(),
            ns.deleted(), System.currentTimeMillis());
    Map<MongoWritePlan.Step, Document> values = writer.storeValues(ns.uid(), plan.steps);
    Map<MongoWritePlan.Step, Document> docs = new IdentityHashMap<>();
    plan.steps.forEach(s -> docs.put(s, MongoWriter.document(ns.uid(), s, values.get(s), true)));
    assertThat(writer.applyUnordered(ns.uid(), plan.steps, docs, () -> {})).hasSize(2);

    // Readers elsewhere see only what was committed.
    assertThat(b.documents().get("ns", "ghost")).isEmpty();
    StoredDocument changed = b.documents().get("ns", "changed").orElseThrow();
    assertThat(changed.winningRev()).isEqualTo("1-a");
    assertThat(changed.seq()).isEqualTo(changedSeq);
    assertThat(b.documents().getAll("ns", List.of("ghost", "changed", "kept")))
        .extracting(StoredDocument::id, StoredDocument::seq)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("changed", changedSeq),
            org.assertj.core.groups.Tuple.tuple("kept", keptSeq));
    assertThat(b.documents().changes("ns", ChangesRange.after(0, 10)))
        .extracting(StoredDocument::id, StoredDocument::seq, StoredDocument::winningRev)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("kept", keptSeq, "1-a"),
            org.assertj.core.groups.Tuple.tuple("changed", changedSeq, "1-a"));
    assertThat(b.documents().changes("ns", new ChangesRange(0, Long.MAX_VALUE, true, 1)))
        .extracting(StoredDocument::id).containsExactly("changed");
    assertThat(b.documents().range("ns", KeyRange.all(10)))
        .extracting(StoredDocument::id, StoredDocument::winningRev)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("changed", "1-a"),
            org.assertj.core.groups.Tuple.tuple("kept", "1-a"));
    assertThat(b.queries().query("ns", new Query(Query.Filter.all(), List.of(), Optional.empty(), 10, false)))
        .hasValueSatisfying(d -> assertThat(d)
            .extracting(StoredDocument::id, StoredDocument::seq)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple("changed", changedSeq),
                org.assertj.core.groups.Tuple.tuple("kept", keptSeq)));
    assertThat(b.namespaces().get("ns")).contains(before);

    // The next writer waits out the dead lease, rolls back, and its compare-and-set sees 1-a.
    List<WriteResult> next = b.documents().write("ns", List.of(item("changed", "2-c", changedSeq)));
    WriteResult.Written w = written(next.get(0));
    assertThat(w.seq()).isGreaterThan(before.lastSeq());
    assertThat(w.timestamp()).isGreaterThan(before.lastTimestamp());
    assertThat(a.documents().get("ns", "ghost")).isEmpty();
    assertThat(a.documents().get("ns", "changed").orElseThrow().winningRev()).isEqualTo("2-c");
    NamespaceInfo after = a.namespaces().get("ns").orElseThrow();
    assertThat(after.documentCount()).isEqualTo(2);
    assertThat(after.lastSeq()).isEqualTo(w.seq());
    assertThat(a.documents().changes("ns", ChangesRange.after(0, 10)))
        .extracting(StoredDocument::id).containsExactly("kept", "changed");
  }

  @Test
  void write_replacedChunkedState_oldChunksRemovedAfterCommit() {
    MongoStorage a = open(10_000);
    a.namespaces().create("ns", Map.of());
    byte[] big = new byte[MongoValues.INLINE_MAX + 10];
    big[big.length - 1] = 7;
    WriteResult.Written w =
        written(a.documents().write("ns", List.of(new WriteItem("big", "1-a", false, big, 0, Optional.empty()))).get(0));
    assertThat(a.chunkCollection.countDocuments()).isEqualTo(2);
    assertThat(a.documents().get("ns", "big").orElseThrow().state()).isEqualTo(big);
    a.documents().write("ns", List.of(new WriteItem("big", "2-a", false, new byte[] {1}, w.seq(), Optional.empty())));
    assertThat(a.chunkCollection.countDocuments()).isZero();
    assertThat(a.documents().get("ns", "big").orElseThrow().state()).containsExactly(1);
  }

  @Test
  void open_standInWithOplog_leasePathChangeStreamsHonestCapabilities() {
    MongoStorage a = open(10_000);
    assertThat(a.transactions).isFalse();
    assertThat(a.writer).isInstanceOf(MongoLeaseWriter.class);
    assertThat(a.capabilities().flags())
        .containsExactlyInAnyOrder(Capability.QUERY_PUSHDOWN, Capability.MULTI_PROCESS, Capability.NATIVE_CHANGE_SIGNALS,
            Capability.LOCAL_LISTING);
    assertThat(a.capabilities().has(Capability.ATOMIC_BATCHES)).isFalse();
    assertThat(a.capabilities().maxValueBytes()).isEqualTo(32L << 20);
    assertThat(a.capabilities().signalPollInterval()).isZero();
  }

  @Test
  void open_transactionsOnStandIn_invalidConfigurationNamingWhy() {
    SyncException e =
        catchThrowableOfType(SyncException.class, () -> new MongoStorageProvider()
            .open(new StorageConfig(uri + "?polysync.writePath=transactions", Map.of())));
    assertThat(e.errorCode()).isEqualTo(StorageError.INVALID_CONFIGURATION);
    assertThat(e.getMessage()).contains("replica set").contains("writePath=auto or lease");
  }

  @Test
  void open_withoutOplog_pollsAndRefusesChangeStreamsWhenDemanded() {
    String plain = StandInServer.freshUriWithoutChangeStreams("lease");
    try (MongoStorage polling = (MongoStorage) new MongoStorageProvider().open(StorageConfig.of(plain))) {
      assertThat(polling.changeStreams).isFalse();
      assertThat(polling.capabilities().has(Capability.NATIVE_CHANGE_SIGNALS)).isFalse();
      assertThat(polling.capabilities().signalPollInterval()).isEqualTo(java.time.Duration.ofMillis(100));
    }
    SyncException e =
        catchThrowableOfType(SyncException.class, () -> new MongoStorageProvider()
            .open(new StorageConfig(plain, Map.of("signals", "change-streams"))));
    assertThat(e.errorCode()).isEqualTo(StorageError.INVALID_CONFIGURATION);
  }

  @Test
  void query_bodyField_declinedForTheEngine() {
    MongoStorage a = open(10_000);
    a.namespaces().create("ns", Map.of());
    a.documents().write("ns", List.of(item("d", "1-a", 0)));
    Query body = new Query(new Query.Filter.Exists(Query.Field.body("x"), true), List.of(), Optional.empty(), 10, false);
    assertThat(a.queries().query("ns", body)).isEmpty();
    Query sorted = new Query(Query.Filter.all(), List.of(new Query.SortKey(Query.Field.body("x"), false)),
        Optional.empty(), 10, false);
    assertThat(a.queries().query("ns", sorted)).isEmpty();
    SyncException e = catchThrowableOfType(SyncException.class, () -> a.queries().query("missing", body));
    assertThat(e.errorCode()).isEqualTo(StorageError.NAMESPACE_NOT_FOUND);
  }
}
