package io.polysync.adapter.mongo;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.ClientSession;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.WriteModel;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * A write path: how a batch's compare-and-sets, sequence allocation and commit are made atomic
 * ({@link MongoTransactionWriter}, {@link MongoLeaseWriter}), with what both share.
 *
 * <p>A stored document is {@code {ns, k, i, s, t, r, d, v|c}}: namespace uid, hex key, id,
 * sequence, timestamp, winning revision, deleted flag and the state (see {@link MongoValues}).
 * Writes under the lease add {@code o}, the version replaced (null for a new document), until the
 * batch commits; see {@link MongoDocumentStore} for how readers use it.
 *
 * <p>Writers of one namespace in one storage take turns on a fair in-process lock first, so only one
 * of them at a time competes for the namespace across processes (a lease or a transaction's write
 * conflict), rather than all of them spinning on the database.
 */
abstract class MongoWriter {
  /** Keys per {@code $in} read and models per bulk write. */
  static final int CHUNK = 1000;

  final MongoStorage storage;
  private final ConcurrentMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  MongoWriter(MongoStorage storage) {
    this.storage = storage;
  }

  /**
   * Writes the items of {@code items} whose {@code preset} result is null, in order.
   *
   * @return one result per item
   */
  abstract List<WriteResult> write(String namespace, List<WriteItem> items, WriteResult[] preset);

  final ReentrantLock lock(String namespace) {
    return locks.computeIfAbsent(namespace, k -> new ReentrantLock(true));
  }

  /** The stored documents among {@code keys}, by key. */
  final Map<String, Document> readCurrent(ClientSession session, String uid, List<String> keys) {
    Map<String, Document> out = new HashMap<>();
    for (int from = 0; from < keys.size(); from += CHUNK) {
      Bson filter =
          new Document("ns", uid)
              .append("k", new Document("$in", keys.subList(from, Math.min(keys.size(), from + CHUNK))));
      var found =
          session == null
              ? storage.documentCollection.find(filter)
              : storage.documentCollection.find(session, filter);
      for (Document d : found) {
        out.put(d.getString("k"), d);
      }
    }
    return out;
  }

  /** Writes the states of {@code steps} that need chunks; the owner fields per step. */
  final Map<MongoWritePlan.Step, Document> storeValues(String uid, List<MongoWritePlan.Step> steps) {
    Map<MongoWritePlan.Step, Document> out = new IdentityHashMap<>();
    try {
      for (MongoWritePlan.Step step : steps) {
        out.put(step, storage.values.write(uid, step.item().state()));
      }
    } catch (RuntimeException e) {
      out.values().forEach(this::discardQuietly);
      throw e;
    }
    return out;
  }

  final void discardQuietly(Document valueFields) {
    try {
      storage.values.discard(valueFields);
    } catch (RuntimeException e) {
      // Unreferenced chunks only waste space; dropping the namespace removes them.
    }
  }

  /** The version fields of a step: sequence, timestamp, revision, deleted flag and state. */
  static Document version(MongoWritePlan.Step step, Document valueFields) {
    Document d =
        new Document("s", step.seq())
            .append("t", step.ts())
            .append("r", step.item().winningRev())
            .append("d", step.item().deleted());
    d.putAll(valueFields);
    return d;
  }

  /** The version fields of a stored document (no {@code o}, no identity). */
  static Document versionOf(Document stored) {
    Document d =
        new Document("s", stored.get("s"))
            .append("t", stored.get("t"))
            .append("r", stored.get("r"))
            .append("d", stored.get("d"));
    for (String f : List.of(MongoValues.INLINE, MongoValues.CHUNKED)) {
      if (stored.containsKey(f)) {
        d.append(f, stored.get(f));
      }
    }
    return d;
  }

  /**
   * The whole document a step stores; with {@code keepOld}, the replaced version (or null) goes in
   * {@code o} until the batch commits.
   */
  static Document document(String uid, MongoWritePlan.Step step, Document valueFields, boolean keepOld) {
    Document d =
        new Document("ns", uid).append("k", step.key()).append("i", step.item().id());
    d.putAll(version(step, valueFields));
    if (keepOld) {
      d.append("o", step.current() == null ? null : versionOf(step.current()));
    }
    return d;
  }

  /**
   * The model that applies a step: an insert, or a replacement of the version at the expected
   * sequence. That version is found by {@code (ns, s)} alone, which is unique: it is the document's
   * current version exactly when the compare-and-set holds, and the replacement carries the key,
   * so the unique {@code (ns, k)} index refuses it should it ever land on another document.
   */
  static WriteModel<Document> model(String uid, MongoWritePlan.Step step, Document doc) {
    if (step.current() == null) {
      return new InsertOneModel<>(doc);
    }
    return new ReplaceOneModel<>(
        new Document("ns", uid).append("s", MongoNamespaceStore.num(step.current(), "s")), doc);
  }

  /**
   * Applies {@code steps} in bulk writes of {@link #CHUNK}, running {@code beforeEach} before each,
   * and returns the steps that were applied. A step that was not (its insert hit an existing id,
   * its replacement matched nothing) lost its compare-and-set to a writer that should not have been
   * there; the caller reports it as a conflict.
   */
  final Set<MongoWritePlan.Step> applyUnordered(
      String uid,
      List<MongoWritePlan.Step> steps,
      Map<MongoWritePlan.Step, Document> docs,
      Runnable beforeEach) {
    Set<MongoWritePlan.Step> applied = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (int from = 0; from < steps.size(); from += CHUNK) {
      List<MongoWritePlan.Step> part = steps.subList(from, Math.min(steps.size(), from + CHUNK));
      List<WriteModel<Document>> models = new ArrayList<>();
      for (MongoWritePlan.Step step : part) {
        models.add(model(uid, step, docs.get(step)));
      }
      beforeEach.run();
      BulkWriteResult result;
      Set<Integer> failed = new HashSet<>();
      try {
        result = storage.documentCollection.bulkWrite(models, new BulkWriteOptions().ordered(false));
      } catch (MongoBulkWriteException e) {
        if (e.getWriteConcernError() != null) {
          throw e;
        }
        for (BulkWriteError error : e.getWriteErrors()) {
          if (error.getCategory() != com.mongodb.ErrorCategory.DUPLICATE_KEY) {
            throw e;
          }
          failed.add(error.getIndex());
        }
        result = e.getWriteResult();
      }
      int replaces = 0;
      for (int i = 0; i < part.size(); i++) {
        if (!failed.contains(i) && part.get(i).current() != null) {
          replaces++;
        }
      }
      boolean allMatched = result.getMatchedCount() == replaces;
      List<MongoWritePlan.Step> unsure = new ArrayList<>();
      for (int i = 0; i < part.size(); i++) {
        MongoWritePlan.Step step = part.get(i);
        if (failed.contains(i)) {
          continue;
        }
        if (step.current() == null || allMatched) {
          applied.add(step);
        } else {
          unsure.add(step);
        }
      }
      if (!unsure.isEmpty()) {
        Map<String, Document> now =
            readCurrent(null, uid, unsure.stream().map(MongoWritePlan.Step::key).toList());
        for (MongoWritePlan.Step step : unsure) {
          Document d = now.get(step.key());
          if (d != null && MongoNamespaceStore.num(d, "s") == step.seq()) {
            applied.add(step);
          }
        }
      }
    }
    return applied;
  }
}
