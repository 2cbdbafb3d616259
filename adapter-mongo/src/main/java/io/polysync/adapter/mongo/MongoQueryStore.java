package io.polysync.adapter.mongo;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import io.polysync.spi.Capability;
import io.polysync.spi.JsonValue;
import io.polysync.spi.Query;
import io.polysync.spi.QueryEvaluator;
import io.polysync.spi.QueryStore;
import io.polysync.spi.StoredDocument;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Query push-down for what translates to MongoDB exactly: filters, sorts and cursors on the id
 * (through its hex key, which orders by code point), the sequence and the timestamp. A query that
 * touches a body field is declined and the engine evaluates it: MongoDB's dotted paths reach into
 * arrays, its comparisons match array elements, its type order puts booleans after strings and its
 * numbers are doubles or 34-digit decimals, none of which is the reference evaluator's meaning.
 *
 * <p>The native query sees only committed versions (sequence at most the watermark); documents with
 * a write in flight are read beside it and their visible version evaluated with {@link
 * QueryEvaluator}, then both are merged in the query's order.
 */
final class MongoQueryStore implements QueryStore {
  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
  private static final Bson TRUE = Filters.empty();
  private static final Bson FALSE = Filters.exists("_id", false);

  /** Thrown inside the translation for a construct that cannot be answered exactly. */
  static final class NotPushable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotPushable() {
      super(null, null, false, false);
    }
  }

  private final MongoStorage storage;

  MongoQueryStore(MongoStorage storage) {
    this.storage = storage;
  }

  @Override
  public Optional<List<StoredDocument>> query(String namespace, Query query) {
    storage.capabilities().require(Capability.QUERY_PUSHDOWN);
    MongoNamespaceStore.key(namespace);
    Bson filter;
    Bson after;
    Bson order;
    try {
      filter = filter(query.filter());
      after = query.after().isPresent() ? after(query.sort(), query.after().get()) : TRUE;
      order = order(query.sort());
    } catch (NotPushable e) {
      storage.run("querying " + namespace, () -> storage.namespaces.require(namespace));
      return Optional.empty();
    }
    return storage.documents.read(
        "querying " + namespace,
        () -> {
          MongoNamespaceStore.Ns ns = storage.namespaces.require(namespace);
          long watermark = ns.lastSeq();
          List<Bson> where = new ArrayList<>();
          where.add(Filters.eq("ns", ns.uid()));
          where.add(Filters.lte("s", watermark));
          if (!query.includeDeleted()) {
            where.add(Filters.eq("d", false));
          }
          where.add(filter);
          where.add(after);
          Map<QueryEvaluator.Candidate, StoredDocument> found = new IdentityHashMap<>();
          List<QueryEvaluator.Candidate> candidates = new ArrayList<>();
          for (Document raw :
              storage.documentCollection.find(Filters.and(where)).sort(order).limit(query.limit())) {
            Document version = MongoDocumentStore.visible(raw, watermark);
            if (version == null || MongoNamespaceStore.num(version, "s") > watermark) {
              continue; // moved on since it matched; the second query below sees it
            }
            StoredDocument d = storage.documents.stored(raw, version);
            QueryEvaluator.Candidate c = candidate(d);
            found.put(c, d);
            candidates.add(c);
          }
          // Documents above the watermark: a write in flight (see their visible version) or
          // committed since the watermark was read.
          List<QueryEvaluator.Candidate> inFlight = new ArrayList<>();
          Map<QueryEvaluator.Candidate, StoredDocument> inFlightDocs = new IdentityHashMap<>();
          for (Document raw :
              storage.documentCollection.find(
                  Filters.and(Filters.eq("ns", ns.uid()), Filters.gt("s", watermark)))) {
            Document version = MongoDocumentStore.visible(raw, watermark);
            if (version != null) {
              StoredDocument d = storage.documents.stored(raw, version);
              QueryEvaluator.Candidate c = candidate(d);
              inFlightDocs.put(c, d);
              inFlight.add(c);
            }
          }
          if (!inFlight.isEmpty()) {
            for (QueryEvaluator.Candidate c : QueryEvaluator.evaluate(query, inFlight)) {
              found.put(c, inFlightDocs.get(c));
              candidates.add(c);
            }
            candidates.sort(QueryEvaluator.order(query.sort()));
          }
          List<StoredDocument> out = new ArrayList<>();
          for (QueryEvaluator.Candidate c : candidates.subList(0, Math.min(candidates.size(), query.limit()))) {
            out.add(found.get(c));
          }
          return Optional.of(out);
        });
  }

  private static QueryEvaluator.Candidate candidate(StoredDocument d) {
    return new QueryEvaluator.Candidate(
        d.id(), d.seq(), d.timestamp(), d.deleted(), JsonValue.JsonObject.empty());
  }

  static Bson filter(Query.Filter filter) {
    return switch (filter) {
      case Query.Filter.All a -> TRUE;
      case Query.Filter.And and -> {
        List<Bson> parts = new ArrayList<>();
        for (Query.Filter f : and.filters()) {
          parts.add(filter(f));
        }
        yield parts.isEmpty() ? TRUE : Filters.and(parts);
      }
      case Query.Filter.Or or -> {
        List<Bson> parts = new ArrayList<>();
        for (Query.Filter f : or.filters()) {
          parts.add(filter(f));
        }
        yield parts.isEmpty() ? FALSE : Filters.or(parts);
      }
      case Query.Filter.Not not -> Filters.nor(filter(not.filter()));
      case Query.Filter.Exists e -> {
        requireMetadata(e.field());
        yield e.exists() ? TRUE : FALSE;
      }
      case Query.Filter.In in -> {
        List<Bson> parts = new ArrayList<>();
        for (JsonValue v : in.values()) {
          parts.add(compare(in.field(), Query.Op.EQ, v));
        }
        yield Filters.or(parts);
      }
      case Query.Filter.Compare cmp -> compare(cmp.field(), cmp.op(), cmp.value());
    };
  }

  private static void requireMetadata(Query.Field field) {
    if (field instanceof Query.Field.Body) {
      throw new NotPushable();
    }
  }

  static Bson compare(Query.Field field, Query.Op op, JsonValue value) {
    requireMetadata(field);
    if (op == Query.Op.NE) {
      return Filters.nor(compare(field, Query.Op.EQ, value));
    }
    return switch (field) {
      case Query.Field.Id id -> {
        if (!(value instanceof JsonValue.JsonString s)) {
          yield FALSE; // EQ or a range test against another type never matches
        }
        String key = MongoKeys.hex(s.value());
        yield switch (op) {
          case EQ -> Filters.eq("k", key);
          case LT -> Filters.lt("k", key);
          case LE -> Filters.lte("k", key);
          case GT -> Filters.gt("k", key);
          case GE -> Filters.gte("k", key);
          case NE -> throw new AssertionError();
        };
      }
      case Query.Field.Seq s -> numeric("s", op, value);
      case Query.Field.Timestamp ts -> numeric("t", op, value);
      case Query.Field.Body b -> throw new NotPushable();
    };
  }

  /** A long field against a JSON number, with the bound rounded so the test stays exact. */
  private static Bson numeric(String field, Query.Op op, JsonValue value) {
    if (!(value instanceof JsonValue.JsonNumber n)) {
      return FALSE;
    }
    BigDecimal v = n.value();
    return switch (op) {
      case EQ -> {
        if (v.signum() != 0 && v.stripTrailingZeros().scale() > 0
            || v.compareTo(LONG_MIN) < 0
            || v.compareTo(LONG_MAX) > 0) {
          yield FALSE;
        }
        yield Filters.eq(field, v.longValueExact());
      }
      case LT -> lessThan(field, v.setScale(0, RoundingMode.CEILING));
      case LE -> lessThan(field, v.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE));
      case GT -> Filters.nor(lessThan(field, v.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE)));
      case GE -> Filters.nor(lessThan(field, v.setScale(0, RoundingMode.CEILING)));
      case NE -> throw new AssertionError();
    };
  }

  /** {@code field < bound} for an integral bound that may lie outside the long range. */
  private static Bson lessThan(String field, BigDecimal bound) {
    if (bound.compareTo(LONG_MAX) > 0) {
      return TRUE;
    }
    if (bound.compareTo(LONG_MIN) <= 0) {
      return FALSE;
    }
    return Filters.lt(field, bound.longValueExact());
  }

  private static String column(Query.Field field) {
    return switch (field) {
      case Query.Field.Id id -> "k";
      case Query.Field.Seq s -> "s";
      case Query.Field.Timestamp t -> "t";
      case Query.Field.Body b -> throw new NotPushable();
    };
  }

  static Bson order(List<Query.SortKey> sort) {
    List<Bson> out = new ArrayList<>();
    List<String> used = new ArrayList<>();
    for (Query.SortKey key : sort) {
      String column = column(key.field());
      if (used.contains(column)) {
        continue; // a repeated key decides nothing the first one did not
      }
      used.add(column);
      out.add(key.descending() ? Sorts.descending(column) : Sorts.ascending(column));
    }
    if (!used.contains("k")) {
      out.add(Sorts.ascending("k"));
    }
    return Sorts.orderBy(out);
  }

  /** Documents strictly after the cursor in the query's order: the usual keyset disjunction. */
  static Bson after(List<Query.SortKey> sort, Query.Cursor cursor) {
    List<Bson> alternatives = new ArrayList<>();
    List<Bson> equalSoFar = new ArrayList<>();
    for (int i = 0; i < sort.size(); i++) {
      Query.SortKey key = sort.get(i);
      JsonValue c = cursor.values().get(i);
      alternatives.add(and(equalSoFar, beyond(key.field(), c, !key.descending())));
      equalSoFar.add(compare(key.field(), Query.Op.EQ, c));
    }
    alternatives.add(and(equalSoFar, Filters.gt("k", MongoKeys.hex(cursor.id()))));
    return Filters.or(alternatives);
  }

  private static Bson and(List<Bson> prefix, Bson last) {
    List<Bson> all = new ArrayList<>(prefix);
    all.add(last);
    return Filters.and(all);
  }

  /** The field's value is above ({@code up}) or below {@code c} in the collation. */
  private static Bson beyond(Query.Field field, JsonValue c, boolean up) {
    requireMetadata(field);
    int rank = JsonValue.typeRank(c);
    Query.Op op = up ? Query.Op.GT : Query.Op.LT;
    int own = field instanceof Query.Field.Id ? 4 : 3;
    if (rank == own) {
      return compare(field, op, c);
    }
    return (up ? own > rank : own < rank) ? TRUE : FALSE;
  }
}
