package io.polysync.adapter.mongo;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.bson.Document;

/**
 * The write path without multi-document transactions (standalone servers, and any server with
 * {@code writePath=lease}): one writer per namespace at a time, by the namespace's write lease
 * ({@link MongoLeases}), and a committed watermark.
 *
 * <p>Under the lease a batch reads the current versions, plans ({@link MongoWritePlan}), writes
 * each document with the version it replaces kept in {@code o}, then commits: one update of the
 * namespace document sets {@code lastSeq} (the watermark), the timestamp and the counters and
 * releases the lease. Readers treat a document whose {@code s} is above the watermark and that has
 * {@code o} as not yet written and see {@code o} instead, so no reader ever sees sequence N+1 while
 * N may still come, or loses sight of a version while its replacement is uncommitted. After the
 * commit, {@code o} is set to {@code false}, freeing the replaced version's space.
 *
 * <p>A holder that died (its lease taken over after the timeout) or failed leaves uncommitted
 * documents above the watermark. They were never acknowledged, so the next holder rolls them back
 * to {@code o} before it writes; counters need no repair, since they are only ever committed with
 * the watermark.
 */
final class MongoLeaseWriter extends MongoWriter {
  private static final System.Logger LOG = System.getLogger(MongoLeaseWriter.class.getName());

  MongoLeaseWriter(MongoStorage storage) {
    super(storage);
  }

  @Override
  List<WriteResult> write(String namespace, List<WriteItem> items, WriteResult[] preset) {
    ReentrantLock lock = lock(namespace);
    lock.lock();
    try {
      MongoLeases.Lease lease = storage.leases.acquire(namespace);
      boolean settled = false;
      try {
        MongoNamespaceStore.Ns ns = lease.ns;
        if (lease.takenOver) {
          ns = rollBack(lease, ns);
        }
        List<WriteResult> results = writeHeld(lease, ns, items, preset);
        settled = true;
        return results;
      } finally {
        if (!settled) {
          abandon(lease);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private List<WriteResult> writeHeld(
      MongoLeases.Lease lease, MongoNamespaceStore.Ns ns, List<WriteItem> items, WriteResult[] preset) {
    String uid = ns.uid();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      if (preset[i] == null) {
        keys.add(MongoKeys.hex(items.get(i).id()));
      }
    }
    // A namespace at sequence 0 holds no committed document (any uncommitted one was rolled back).
    Map<String, Document> current = ns.lastSeq() > 0 ? readCurrent(null, uid, keys) : Map.of();
    MongoWritePlan plan =
        MongoWritePlan.plan(
            items, preset, current, ns.lastSeq(), ns.lastTs(), ns.docs(), ns.deleted(),
            System.currentTimeMillis());
    if (plan.steps.isEmpty()) {
      storage.leases.release(lease);
      return plan.results();
    }
    Map<MongoWritePlan.Step, Document> values = storeValues(uid, plan.steps);
    Map<MongoWritePlan.Step, Document> docs = new IdentityHashMap<>();
    for (MongoWritePlan.Step step : plan.steps) {
      docs.put(step, document(uid, step, values.get(step), true));
    }
    Set<MongoWritePlan.Step> applied;
    try {
      applied = applyUnordered(uid, plan.steps, docs, () -> storage.leases.ensureHeld(lease));
    } catch (RuntimeException e) {
      // Roll back happens in abandon(); chunks of rolled-back versions are discarded there.
      throw e;
    }
    List<MongoWritePlan.Step> lost = new ArrayList<>();
    for (MongoWritePlan.Step step : plan.steps) {
      if (!applied.contains(step)) {
        lost.add(step);
        discardQuietly(values.get(step));
      }
    }
    if (!lost.isEmpty()) {
      Map<String, Document> now =
          readCurrent(null, uid, lost.stream().map(MongoWritePlan.Step::key).toList());
      for (MongoWritePlan.Step step : lost) {
        Document d = now.get(step.key());
        plan.lost(step, d == null ? 0 : MongoNamespaceStore.num(d, "s"));
      }
    }
    storage.leases.commit(lease, plan.totals(applied).fields());
    cleanUp(uid, plan.steps, applied);
    return plan.results();
  }

  /**
   * After a commit: sets {@code o} of the written documents to {@code false} (the replaced version
   * is no longer needed; set rather than removed, because an update that removes a field changes
   * the shape of the document, which the in-process test server cannot do safely while it encodes
   * a reply holding it) and deletes the replaced chunks.
   */
  private void cleanUp(String uid, List<MongoWritePlan.Step> steps, Set<MongoWritePlan.Step> applied) {
    try {
      List<WriteModel<Document>> unset = new ArrayList<>();
      for (MongoWritePlan.Step step : steps) {
        if (!applied.contains(step)) {
          continue;
        }
        unset.add(
            new UpdateOneModel<>(
                new Document("ns", uid).append("s", step.seq()), Updates.set("o", false)));
        if (unset.size() == CHUNK) {
          storage.documentCollection.bulkWrite(unset, new com.mongodb.client.model.BulkWriteOptions().ordered(false));
          unset.clear();
        }
      }
      if (!unset.isEmpty()) {
        storage.documentCollection.bulkWrite(unset, new com.mongodb.client.model.BulkWriteOptions().ordered(false));
      }
      for (MongoWritePlan.Step step : steps) {
        if (applied.contains(step) && MongoValues.chunkRef(step.current()) != null) {
          discardQuietly(step.current());
        }
      }
    } catch (RuntimeException e) {
      // Committed already: a leftover o costs readers one look at the watermark, nothing more.
      LOG.log(Level.DEBUG, "cleaning up after a commit failed", e);
    }
  }

  /**
   * Rolls back every document above the watermark, which a holder that died or failed left
   * uncommitted: back to its {@code o}, or deleted when it had none. Runs under the lease.
   *
   * @return the namespace as it stands afterwards
   */
  MongoNamespaceStore.Ns rollBack(MongoLeases.Lease lease, MongoNamespaceStore.Ns ns) {
    long watermark = ns.lastSeq();
    long strayMax = 0;
    long strayTs = 0;
    int n = 0;
    for (Document raw :
        storage.documentCollection.find(
            Filters.and(Filters.eq("ns", ns.uid()), Filters.gt("s", watermark)))) {
      if (n++ % 100 == 0) {
        storage.leases.ensureHeld(lease);
      }
      long seq = MongoNamespaceStore.num(raw, "s");
      if (!MongoDocumentStore.inFlight(raw)) {
        // Not written by a lease holder; nothing to roll back to. Keep the sequence unique.
        LOG.log(Level.WARNING, "a document of namespace " + ns.name() + " lies above the watermark"
            + " without its previous version; moving the watermark past it");
        strayMax = Math.max(strayMax, seq);
        strayTs = Math.max(strayTs, MongoNamespaceStore.num(raw, "t"));
        continue;
      }
      Document old = raw.get("o", Document.class);
      Document filter = new Document("ns", ns.uid()).append("s", seq);
      if (old == null) {
        storage.documentCollection.deleteOne(filter);
      } else {
        Document restored =
            new Document("ns", raw.get("ns")).append("k", raw.get("k")).append("i", raw.get("i"));
        restored.putAll(old);
        storage.documentCollection.replaceOne(filter, restored);
      }
      String ref = MongoValues.chunkRef(raw);
      if (ref != null && !ref.equals(MongoValues.chunkRef(old))) {
        discardQuietly(raw);
      }
    }
    if (strayMax > 0) {
      storage.namespaceCollection.updateOne(
          lease.mine(), Updates.combine(Updates.max("lastSeq", strayMax), Updates.max("lastTs", strayTs)));
      return MongoNamespaceStore.Ns.of(
          storage.namespaceCollection.find(Filters.eq("_id", lease.key)).first());
    }
    return ns;
  }

  /**
   * After a failure while holding the lease: if it is still ours (the commit, which releases it,
   * did not happen), roll back what this batch wrote and release. Otherwise the batch either
   * committed or the lease was taken over, and its new holder rolls back.
   */
  private void abandon(MongoLeases.Lease lease) {
    try {
      Document now = storage.namespaceCollection.find(lease.mine()).first();
      if (now == null) {
        return;
      }
      storage.leases.ensureHeld(lease);
      rollBack(lease, MongoNamespaceStore.Ns.of(now));
      storage.leases.release(lease);
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "could not roll back an abandoned batch; the next writer will", e);
    }
  }
}
