package io.polysync.protocol.kinto;

import io.polysync.spi.Query;
import io.polysync.spi.QueryEvaluator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Buckets, or the collections or groups of one bucket, over the {@link Catalog}. */
final class CatalogStore implements Store {
  private final Catalog catalog;
  private final Catalog.Kind kind;
  private final String bucket;
  private final long fallbackTimestamp;

  CatalogStore(Catalog catalog, Catalog.Kind kind, String bucket, long fallbackTimestamp) {
    this.catalog = catalog;
    this.kind = kind;
    this.bucket = bucket;
    this.fallbackTimestamp = fallbackTimestamp;
  }

  @Override
  public String resourceName() {
    return kind.resourceName;
  }

  @Override
  public Map<String, Item> items(List<String> ids) {
    Map<String, Item> out = new LinkedHashMap<>();
    for (String id : ids) {
      boolean isBucket = kind == Catalog.Kind.BUCKET;
      catalog.find(kind, isBucket ? id : bucket, isBucket ? null : id).ifPresent(i -> out.put(id, i));
    }
    return out;
  }

  @Override
  public List<Optional<Item>> write(List<Write> writes) {
    List<Optional<Item>> out = new ArrayList<>();
    for (Write w : writes) {
      String b = kind == Catalog.Kind.BUCKET ? w.id() : bucket;
      String id = kind == Catalog.Kind.BUCKET ? null : w.id();
      out.add(w.delete()
          ? catalog.delete(kind, b, id, w.rev().orElse(""))
          : catalog.write(kind, b, id, w.fields(), w.perms(), w.rev()));
    }
    return out;
  }

  @Override
  public List<Item> page(ListQuery query, Optional<Query.Filter> visible, Optional<Query.Cursor> after, int size) {
    List<QueryEvaluator.Candidate> candidates = new ArrayList<>();
    Map<String, Item> byId = new LinkedHashMap<>();
    for (Item item : catalog.all(kind, bucket)) {
      candidates.add(item.candidate());
      byId.put(item.id(), item);
    }
    ListQuery q = visible.map(query::withFilter).orElse(query);
    List<Item> out = new ArrayList<>();
    for (QueryEvaluator.Candidate c : QueryEvaluator.evaluate(q.query(Integer.MAX_VALUE, after), candidates)) {
      Item item = byId.get(c.id());
      if (query.matchesResidual(item.toJson())) {
        out.add(item);
        if (out.size() == size) {
          break;
        }
      }
    }
    return out;
  }

  @Override
  public long listTimestamp() {
    return catalog.listTimestamp(kind, bucket, fallbackTimestamp);
  }
}
