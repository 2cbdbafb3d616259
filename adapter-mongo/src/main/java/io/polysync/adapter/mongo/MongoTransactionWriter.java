package io.polysync.adapter.mongo;

import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.TransactionOptions;
import com.mongodb.WriteConcern;
import com.mongodb.client.ClientSession;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.bson.Document;

/**
 * The write path on replica sets and sharded clusters: each batch is one multi-document
 * transaction that first increments a counter in the namespace's document. That write makes every
 * other transaction on the namespace conflict at once (MongoDB aborts the later one with a
 * transient error, which {@link ClientSession#withTransaction} retries), so writers of a namespace
 * are serialized from sequence allocation to commit, like the SQL adapter's row lock, and the
 * documents, the watermark and the counters become visible together.
 *
 * <p>It respects the write lease too, so that processes configured with {@code writePath=lease}
 * can share a database with it: a namespace whose lease is held makes the transaction abort and
 * wait for the lease (taking it over and rolling back if its holder died), then run again.
 *
 * <p>States that need chunks are written before the transaction (unreferenced until it commits)
 * and removed when it does not.
 */
final class MongoTransactionWriter extends MongoWriter {
  private static final TransactionOptions OPTIONS =
      TransactionOptions.builder()
          .readConcern(ReadConcern.SNAPSHOT)
          .writeConcern(WriteConcern.MAJORITY)
          .readPreference(ReadPreference.primary())
          .build();

  /** Thrown inside a transaction that found the namespace's lease held. */
  private static final class LeaseHeld extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LeaseHeld() {
      super(null, null, false, false);
    }
  }

  MongoTransactionWriter(MongoStorage storage) {
    super(storage);
  }

  @Override
  List<WriteResult> write(String namespace, List<WriteItem> items, WriteResult[] preset) {
    ReentrantLock lock = lock(namespace);
    lock.lock();
    try {
      MongoNamespaceStore.Ns before = storage.namespaces.require(namespace);
      String uid = before.uid();
      // Chunked states go in first; which items win is only known inside the transaction.
      List<MongoWritePlan.Step> all = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        if (preset[i] == null) {
          all.add(new MongoWritePlan.Step(i, items.get(i), MongoKeys.hex(items.get(i).id()), 0, 0, null));
        }
      }
      Map<MongoWritePlan.Step, Document> stored = storeValues(uid, all);
      Map<Integer, Document> valueByIndex = new java.util.HashMap<>();
      stored.forEach((step, fields) -> valueByIndex.put(step.index(), fields));
      MongoWritePlan plan = null;
      try {
        while (true) {
          try (ClientSession session = storage.client.startSession()) {
            plan = session.withTransaction(
                () -> attempt(session, namespace, uid, items, preset, valueByIndex), OPTIONS);
            break;
          } catch (LeaseHeld e) {
            waitForLease(namespace);
          }
        }
      } finally {
        List<Integer> used = new ArrayList<>();
        if (plan != null) {
          plan.steps.forEach(s -> used.add(s.index()));
        }
        valueByIndex.forEach((index, fields) -> {
          if (!used.contains(index)) {
            discardQuietly(fields);
          }
        });
      }
      for (MongoWritePlan.Step step : plan.steps) {
        if (MongoValues.chunkRef(step.current()) != null) {
          discardQuietly(step.current());
        }
      }
      return plan.results();
    } finally {
      lock.unlock();
    }
  }

  private MongoWritePlan attempt(
      ClientSession session,
      String namespace,
      String uid,
      List<WriteItem> items,
      WriteResult[] preset,
      Map<Integer, Document> valueByIndex) {
    String key = MongoNamespaceStore.key(namespace);
    Document record =
        storage.namespaceCollection.findOneAndUpdate(
            session,
            Filters.eq("_id", key),
            Updates.inc("txn", 1L),
            new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
    if (record == null || !uid.equals(record.getString("uid"))) {
      // Dropped (and perhaps created again) since the batch began: it wrote into the old one.
      throw MongoStorage.notFound(namespace);
    }
    MongoNamespaceStore.Ns ns = MongoNamespaceStore.Ns.of(record);
    if (ns.leased()) {
      throw new LeaseHeld();
    }
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      if (preset[i] == null) {
        keys.add(MongoKeys.hex(items.get(i).id()));
      }
    }
    Map<String, Document> current = readCurrent(session, uid, keys);
    MongoWritePlan plan =
        MongoWritePlan.plan(
            items, preset, current, ns.lastSeq(), ns.lastTs(), ns.docs(), ns.deleted(),
            System.currentTimeMillis());
    if (plan.steps.isEmpty()) {
      return plan;
    }
    Map<MongoWritePlan.Step, Document> docs = new IdentityHashMap<>();
    int replaces = 0;
    List<WriteModel<Document>> models = new ArrayList<>();
    for (MongoWritePlan.Step step : plan.steps) {
      Document doc = document(uid, step, valueByIndex.get(step.index()), false);
      docs.put(step, doc);
      models.add(model(uid, step, doc));
      if (step.current() != null) {
        replaces++;
      }
    }
    long matched = 0;
    for (int from = 0; from < models.size(); from += CHUNK) {
      matched +=
          storage.documentCollection
              .bulkWrite(session, models.subList(from, Math.min(models.size(), from + CHUNK)),
                  new BulkWriteOptions().ordered(true))
              .getMatchedCount();
    }
    if (matched != replaces) {
      // Impossible while every writer goes through the namespace document; abort rather than guess.
      throw new IllegalStateException(
          "a document of namespace " + namespace + " changed under its transaction");
    }
    storage.namespaceCollection.updateOne(
        session,
        Filters.eq("_id", key),
        new Document("$set", plan.totals(plan.steps).fields()));
    return plan;
  }

  /** Waits until a lease holder is done, taking over (and rolling back) a dead one's lease. */
  private void waitForLease(String namespace) {
    MongoLeases.Lease lease = storage.leases.acquire(namespace);
    try {
      if (lease.takenOver) {
        new MongoLeaseWriter(storage).rollBack(lease, lease.ns);
      }
    } finally {
      storage.leases.release(lease);
    }
  }
}
