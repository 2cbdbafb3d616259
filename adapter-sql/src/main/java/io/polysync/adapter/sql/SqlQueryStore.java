package io.polysync.adapter.sql;

import static io.polysync.adapter.sql.SqlTables.DOCUMENTS;
import static io.polysync.adapter.sql.SqlTables.DOC_DELETED;
import static io.polysync.adapter.sql.SqlTables.DOC_ID;
import static io.polysync.adapter.sql.SqlTables.DOC_NS;
import static io.polysync.adapter.sql.SqlTables.DOC_SEQ;
import static io.polysync.adapter.sql.SqlTables.DOC_TS;
import static io.polysync.adapter.sql.SqlTables.NAMESPACES;
import static io.polysync.adapter.sql.SqlTables.NS_BODIES_EXACT;
import static io.polysync.adapter.sql.SqlTables.NS_ID;
import static io.polysync.adapter.sql.SqlTables.NS_NAME;
import static org.jooq.impl.DSL.falseCondition;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.trueCondition;

import io.polysync.spi.Capability;
import io.polysync.spi.JsonValue;
import io.polysync.spi.Query;
import io.polysync.spi.QueryStore;
import io.polysync.spi.StoredDocument;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.OrderField;
import org.jooq.Record;
import org.jooq.impl.DSL;

/**
 * Query push-down. Filters, sorts and cursors on id, sequence and timestamp translate on every
 * backend; body fields where the backend has {@link SqlBodyFields} and the namespace's bodies are
 * all stored exactly. Anything else answers empty and the engine evaluates it: an exact answer or
 * none. The translation mirrors {@link io.polysync.spi.QueryEvaluator} case by case.
 */
final class SqlQueryStore implements QueryStore {
  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  /** Thrown inside the translation for a construct that cannot be answered exactly. */
  static final class NotPushable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotPushable() {
      super(null, null, false, false);
    }
  }

  private final SqlStorage storage;

  SqlQueryStore(SqlStorage storage) {
    this.storage = storage;
  }

  @Override
  public Optional<List<StoredDocument>> query(String namespace, Query query) {
    storage.capabilities().require(Capability.QUERY_PUSHDOWN);
    byte[] nsKey = SqlNamespaceStore.key(namespace);
    return storage.read(
        "querying " + namespace,
        ctx -> {
          Record ns =
              ctx.select(NS_ID, NS_BODIES_EXACT)
                  .from(NAMESPACES)
                  .where(NS_NAME.eq(nsKey))
                  .fetchOne();
          if (ns == null) {
            throw SqlNamespaceStore.notFound(namespace);
          }
          Translation t =
              new Translation(ns.get(NS_BODIES_EXACT) ? storage.support.bodyFields() : null);
          Condition where;
          List<OrderField<?>> order;
          try {
            where = DOC_NS.eq(ns.get(NS_ID)).and(t.filter(query.filter()));
            if (!query.includeDeleted()) {
              where = where.and(DOC_DELETED.isFalse());
            }
            if (query.after().isPresent()) {
              where = where.and(t.after(query.sort(), query.after().get()));
            }
            order = t.order(query.sort());
            if (!t.containerChecks.isEmpty()) {
              Condition any = DSL.or(t.containerChecks);
              if (ctx.fetchExists(
                  ctx.selectOne().from(DOCUMENTS).where(DOC_NS.eq(ns.get(NS_ID)).and(any)))) {
                return Optional.empty();
              }
            }
          } catch (NotPushable e) {
            return Optional.empty();
          }
          return Optional.of(
              ctx.select(SqlDocumentStore.COLUMNS)
                  .from(DOCUMENTS)
                  .where(where)
                  .orderBy(order)
                  .limit(query.limit())
                  .fetch(SqlDocumentStore::document));
        });
  }

  /** One query's translation; collects the sort paths that must hold no array or object. */
  private static final class Translation {
    final SqlBodyFields body;
    final List<Condition> containerChecks = new ArrayList<>();

    Translation(SqlBodyFields body) {
      this.body = body;
    }

    Condition filter(Query.Filter filter) {
      return switch (filter) {
        case Query.Filter.All a -> trueCondition();
        case Query.Filter.And and -> {
          List<Condition> parts = new ArrayList<>();
          for (Query.Filter f : and.filters()) {
            parts.add(filter(f));
          }
          yield parts.isEmpty() ? trueCondition() : DSL.and(parts);
        }
        case Query.Filter.Or or -> {
          List<Condition> parts = new ArrayList<>();
          for (Query.Filter f : or.filters()) {
            parts.add(filter(f));
          }
          yield parts.isEmpty() ? falseCondition() : DSL.or(parts);
        }
        case Query.Filter.Not not -> DSL.not(filter(not.filter()));
        case Query.Filter.Exists e ->
            e.field() instanceof Query.Field.Body b
                ? bodyFields().exists(extract(b), e.exists())
                : bool(e.exists());
        case Query.Filter.In in -> {
          List<Condition> parts = new ArrayList<>();
          for (JsonValue v : in.values()) {
            parts.add(compare(in.field(), Query.Op.EQ, v));
          }
          yield DSL.or(parts);
        }
        case Query.Filter.Compare cmp -> compare(cmp.field(), cmp.op(), cmp.value());
      };
    }

    private Condition compare(Query.Field field, Query.Op op, JsonValue value) {
      if (op == Query.Op.NE) {
        return DSL.not(compare(field, Query.Op.EQ, value));
      }
      return switch (field) {
        case Query.Field.Id id -> {
          if (!(value instanceof JsonValue.JsonString s)) {
            yield falseCondition(); // EQ or a range test against another type never matches
          }
          byte[] key = s.value().getBytes(StandardCharsets.UTF_8);
          yield switch (op) {
            case EQ -> DOC_ID.eq(key);
            case LT -> DOC_ID.lt(key);
            case LE -> DOC_ID.le(key);
            case GT -> DOC_ID.gt(key);
            case GE -> DOC_ID.ge(key);
            case NE -> throw new AssertionError();
          };
        }
        case Query.Field.Seq s -> numeric(DOC_SEQ, op, value);
        case Query.Field.Timestamp ts -> numeric(DOC_TS, op, value);
        case Query.Field.Body b -> {
          checkOperand(value);
          Field<Object> x = extract(b);
          yield op == Query.Op.EQ
              ? bodyFields().equal(x, value)
              : bodyFields().compare(x, op, value);
        }
      };
    }

    /** A long column against a JSON number, with the bound rounded so the test stays exact. */
    private static Condition numeric(Field<Long> column, Query.Op op, JsonValue value) {
      if (!(value instanceof JsonValue.JsonNumber n)) {
        return falseCondition();
      }
      BigDecimal v = n.value();
      return switch (op) {
        case EQ -> {
          if (v.signum() != 0 && v.stripTrailingZeros().scale() > 0
              || v.compareTo(LONG_MIN) < 0
              || v.compareTo(LONG_MAX) > 0) {
            yield falseCondition();
          }
          yield column.eq(v.longValueExact());
        }
        case LT -> lessThan(column, v.setScale(0, RoundingMode.CEILING));
        case LE -> lessThan(column, v.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE));
        case GT -> DSL.not(lessThan(column, v.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE)));
        case GE -> DSL.not(lessThan(column, v.setScale(0, RoundingMode.CEILING)));
        case NE -> throw new AssertionError();
      };
    }

    /** {@code column < bound} for an integral bound that may lie outside the long range. */
    private static Condition lessThan(Field<Long> column, BigDecimal bound) {
      if (bound.compareTo(LONG_MAX) > 0) {
        return trueCondition();
      }
      if (bound.compareTo(LONG_MIN) <= 0) {
        return falseCondition();
      }
      return column.lt(bound.longValueExact());
    }

    private static Condition bool(boolean b) {
      return b ? trueCondition() : falseCondition();
    }

    private SqlBodyFields bodyFields() {
      if (body == null) {
        throw new NotPushable();
      }
      return body;
    }

    private Field<Object> extract(Query.Field.Body b) {
      for (String name : b.path()) {
        if (!SqlJson.safeString(name)) {
          throw new NotPushable();
        }
      }
      return bodyFields().extract(b.path());
    }

    private static void checkOperand(JsonValue value) {
      if (!SqlJson.storesExactly(value)) {
        throw new NotPushable();
      }
    }

    List<OrderField<?>> order(List<Query.SortKey> sort) {
      List<OrderField<?>> out = new ArrayList<>();
      for (Query.SortKey key : sort) {
        boolean desc = key.descending();
        switch (key.field()) {
          case Query.Field.Id id -> out.add(desc ? DOC_ID.desc() : DOC_ID.asc());
          case Query.Field.Seq s -> out.add(desc ? DOC_SEQ.desc() : DOC_SEQ.asc());
          case Query.Field.Timestamp ts -> out.add(desc ? DOC_TS.desc() : DOC_TS.asc());
          case Query.Field.Body b -> {
            Field<Object> x = extract(b);
            containerChecks.add(bodyFields().isContainer(x));
            Field<Integer> rank = bodyFields().rank(x);
            out.add(desc ? rank.desc() : rank.asc());
            out.addAll(bodyFields().order(x, desc));
          }
        }
      }
      out.add(DOC_ID.asc());
      return out;
    }

    /** Rows strictly after the cursor in the query's order: the usual keyset disjunction. */
    Condition after(List<Query.SortKey> sort, Query.Cursor cursor) {
      List<Condition> alternatives = new ArrayList<>();
      List<Condition> equalSoFar = new ArrayList<>();
      for (int i = 0; i < sort.size(); i++) {
        Query.SortKey key = sort.get(i);
        JsonValue c = cursor.values().get(i);
        Condition beyond = key.descending() ? below(key.field(), c) : above(key.field(), c);
        alternatives.add(and(equalSoFar, beyond));
        equalSoFar.add(equalTo(key.field(), c));
      }
      alternatives.add(and(equalSoFar, DOC_ID.gt(cursor.id().getBytes(StandardCharsets.UTF_8))));
      return DSL.or(alternatives);
    }

    private static Condition and(List<Condition> prefix, Condition last) {
      List<Condition> all = new ArrayList<>(prefix);
      all.add(last);
      return DSL.and(all);
    }

    /** The field's sort value equals {@code c} in the collation (missing sorts as null). */
    private Condition equalTo(Query.Field field, JsonValue c) {
      return switch (field) {
        case Query.Field.Body b -> {
          Field<Object> x = extract(b);
          int r = JsonValue.typeRank(c);
          Condition sameRank = bodyFields().rank(x).eq(inline(r));
          yield switch (c) {
            case JsonValue.JsonNumber n ->
                DSL.and(
                    bodyFields().compare(x, Query.Op.GE, c),
                    bodyFields().compare(x, Query.Op.LE, c));
            case JsonValue.JsonString s ->
                DSL.and(
                    bodyFields().compare(x, Query.Op.GE, c),
                    bodyFields().compare(x, Query.Op.LE, c));
            case JsonValue.JsonArray a -> throw new NotPushable();
            case JsonValue.JsonObject o -> throw new NotPushable();
            default -> sameRank;
          };
        }
        default -> compare(field, Query.Op.EQ, c);
      };
    }

    private Condition above(Query.Field field, JsonValue c) {
      return beyond(field, c, true);
    }

    private Condition below(Query.Field field, JsonValue c) {
      return beyond(field, c, false);
    }

    /** The field's sort value is greater ({@code up}) or less than {@code c} in the collation. */
    private Condition beyond(Query.Field field, JsonValue c, boolean up) {
      int rc = JsonValue.typeRank(c);
      Query.Op op = up ? Query.Op.GT : Query.Op.LT;
      return switch (field) {
        case Query.Field.Body b -> {
          if (c instanceof JsonValue.JsonArray || c instanceof JsonValue.JsonObject) {
            throw new NotPushable();
          }
          checkOperand(c);
          Field<Object> x = extract(b);
          Field<Integer> rank = bodyFields().rank(x);
          Condition otherRank = up ? rank.gt(inline(rc)) : rank.lt(inline(rc));
          if (c instanceof JsonValue.JsonNumber || c instanceof JsonValue.JsonString) {
            yield DSL.or(otherRank, bodyFields().compare(x, op, c));
          }
          yield otherRank;
        }
        case Query.Field.Id id -> {
          if (c instanceof JsonValue.JsonString) {
            yield compare(field, op, c);
          }
          yield bool(up ? 4 > rc : 4 < rc);
        }
        default -> {
          if (c instanceof JsonValue.JsonNumber) {
            yield compare(field, op, c);
          }
          yield bool(up ? 3 > rc : 3 < rc);
        }
      };
    }
  }
}
