package io.polysync.adapter.mongo;

import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * The pure part of a batch write, shared by both write paths: given the namespace's committed
 * counters and the current version of each document named (read by the one writer allowed at this
 * moment), decide each item's compare-and-set, allocate sequence numbers and timestamps in item
 * order, and total the counters over the items that end up applied.
 */
final class MongoWritePlan {
  /** One item that won its compare-and-set; {@code current} is the version it replaces, or null. */
  record Step(int index, WriteItem item, String key, long seq, long ts, Document current) {}

  /** The counters after the applied steps. */
  record Totals(long lastSeq, long lastTs, long docs, long deleted) {
    Document fields() {
      return new Document("lastSeq", lastSeq)
          .append("lastTs", lastTs)
          .append("docs", docs)
          .append("deleted", deleted);
    }
  }

  final WriteResult[] results;
  final List<Step> steps = new ArrayList<>();
  private final long lastSeq;
  private final long lastTs;
  private final long docs;
  private final long deleted;

  private MongoWritePlan(WriteResult[] results, long lastSeq, long lastTs, long docs, long deleted) {
    this.results = results;
    this.lastSeq = lastSeq;
    this.lastTs = lastTs;
    this.docs = docs;
    this.deleted = deleted;
  }

  /**
   * Plans {@code items}; positions of {@code preset} already filled (rejected items) are kept.
   *
   * @param current the stored document by key (hex of the id), absent when there is none
   * @param now the writer's wall clock, epoch milliseconds
   */
  static MongoWritePlan plan(
      List<WriteItem> items,
      WriteResult[] preset,
      Map<String, Document> current,
      long lastSeq,
      long lastTs,
      long docs,
      long deleted,
      long now) {
    MongoWritePlan plan = new MongoWritePlan(preset.clone(), lastSeq, lastTs, docs, deleted);
    long seq = lastSeq;
    long ts = lastTs;
    for (int i = 0; i < items.size(); i++) {
      if (plan.results[i] != null) {
        continue;
      }
      WriteItem item = items.get(i);
      String key = MongoKeys.hex(item.id());
      Document cur = current.get(key);
      long curSeq = cur == null ? 0 : MongoNamespaceStore.num(cur, "s");
      if (curSeq != item.expectedSeq()) {
        plan.results[i] = new WriteResult.Conflict(item.id(), curSeq);
        continue;
      }
      seq++;
      ts = Math.max(ts + 1, now);
      plan.steps.add(new Step(i, item, key, seq, ts, cur));
      plan.results[i] = new WriteResult.Written(item.id(), seq, ts);
    }
    return plan;
  }

  /** The counters once {@code applied} (a subset of {@link #steps}) are stored. */
  Totals totals(Collection<Step> applied) {
    long s = lastSeq;
    long t = lastTs;
    long live = docs;
    long dead = deleted;
    for (Step step : applied) {
      s = Math.max(s, step.seq());
      t = Math.max(t, step.ts());
      if (step.current() != null) {
        if (Boolean.TRUE.equals(step.current().getBoolean("d"))) {
          dead--;
        } else {
          live--;
        }
      }
      if (step.item().deleted()) {
        dead++;
      } else {
        live++;
      }
    }
    return new Totals(s, t, live, dead);
  }

  /** Marks {@code step} as not applied: its compare-and-set lost after all. */
  void lost(Step step, long currentSeq) {
    results[step.index()] = new WriteResult.Conflict(step.item().id(), currentSeq);
  }

  List<WriteResult> results() {
    return List.of(results);
  }
}
