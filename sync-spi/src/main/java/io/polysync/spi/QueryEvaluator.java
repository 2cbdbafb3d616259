package io.polysync.spi;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reference evaluator: the meaning of a {@link Query}, in plain Java over documents in memory.
 *
 * <p>It lives in the SPI, not the engine, because it is the contract: the engine falls back to it
 * when an adapter cannot push a query down, and the compliance kit uses it as the oracle that every
 * adapter's push-down is tested against.
 */
public final class QueryEvaluator {
  private QueryEvaluator() {}

  /**
   * A document as a query sees it.
   *
   * @param body the winning body; empty for a deleted document
   */
  public record Candidate(String id, long seq, long timestamp, boolean deleted, JsonValue.JsonObject body) {
    public Candidate {
      requireNonNull(id, "id is null");
      requireNonNull(body, "body is null");
    }
  }

  /** Runs {@code query} over {@code candidates}: filter, order, cursor, limit. */
  public static List<Candidate> evaluate(Query query, Collection<Candidate> candidates) {
    Comparator<Candidate> order = order(query.sort());
    List<Candidate> matching = new ArrayList<>();
    for (Candidate c : candidates) {
      if ((query.includeDeleted() || !c.deleted()) && matches(query.filter(), c)) {
        if (query.after().isEmpty() || compareToCursor(query.sort(), c, query.after().get()) > 0) {
          matching.add(c);
        }
      }
    }
    matching.sort(order);
    return matching.size() > query.limit() ? List.copyOf(matching.subList(0, query.limit())) : matching;
  }

  /** Whether {@code candidate} matches {@code filter}. */
  public static boolean matches(Query.Filter filter, Candidate candidate) {
    return switch (filter) {
      case Query.Filter.All a -> true;
      case Query.Filter.And and -> and.filters().stream().allMatch(f -> matches(f, candidate));
      case Query.Filter.Or or -> or.filters().stream().anyMatch(f -> matches(f, candidate));
      case Query.Filter.Not not -> !matches(not.filter(), candidate);
      case Query.Filter.Exists e -> resolve(e.field(), candidate).isPresent() == e.exists();
      case Query.Filter.In in -> resolve(in.field(), candidate).map(in.values()::contains).orElse(false);
      case Query.Filter.Compare cmp -> compare(cmp, resolve(cmp.field(), candidate));
    };
  }

  private static boolean compare(Query.Filter.Compare cmp, Optional<JsonValue> actual) {
    return switch (cmp.op()) {
      case EQ -> actual.map(cmp.value()::equals).orElse(false);
      case NE -> actual.map(v -> !cmp.value().equals(v)).orElse(true);
      default -> {
        if (actual.isEmpty() || actual.get().getClass() != cmp.value().getClass()) {
          yield false;
        }
        int c = JsonValue.compare(actual.get(), cmp.value());
        yield switch (cmp.op()) {
          case LT -> c < 0;
          case LE -> c <= 0;
          case GT -> c > 0;
          case GE -> c >= 0;
          default -> throw new AssertionError(cmp.op());
        };
      }
    };
  }

  /** The value of {@code field} in {@code candidate}, or empty when missing. */
  public static Optional<JsonValue> resolve(Query.Field field, Candidate candidate) {
    return switch (field) {
      case Query.Field.Id id -> Optional.of(new JsonValue.JsonString(candidate.id()));
      case Query.Field.Seq seq -> Optional.of(JsonValue.JsonNumber.of(candidate.seq()));
      case Query.Field.Timestamp ts -> Optional.of(JsonValue.JsonNumber.of(candidate.timestamp()));
      case Query.Field.Body body -> {
        JsonValue current = candidate.body();
        for (String name : body.path()) {
          if (!(current instanceof JsonValue.JsonObject object)) {
            yield Optional.empty();
          }
          Map<String, JsonValue> members = object.members();
          current = members.get(name);
          if (current == null) {
            yield Optional.empty();
          }
        }
        yield Optional.of(current);
      }
    };
  }

  /** The sort value of {@code field}: missing sorts as {@code null}. */
  public static JsonValue sortValue(Query.Field field, Candidate candidate) {
    return resolve(field, candidate).orElse(JsonValue.JsonNull.INSTANCE);
  }

  /** The total order of a query with these sort keys. */
  public static Comparator<Candidate> order(List<Query.SortKey> sort) {
    return (a, b) -> {
      for (Query.SortKey key : sort) {
        int c = JsonValue.compare(sortValue(key.field(), a), sortValue(key.field(), b));
        if (c != 0) {
          return key.descending() ? -c : c;
        }
      }
      return Names.compare(a.id(), b.id());
    };
  }

  /** The cursor that resumes a query right after {@code last}. */
  public static Query.Cursor cursorAfter(List<Query.SortKey> sort, Candidate last) {
    return new Query.Cursor(sort.stream().map(k -> sortValue(k.field(), last)).toList(), last.id());
  }

  private static int compareToCursor(List<Query.SortKey> sort, Candidate c, Query.Cursor cursor) {
    for (int i = 0; i < sort.size(); i++) {
      Query.SortKey key = sort.get(i);
      int cmp = JsonValue.compare(sortValue(key.field(), c), cursor.values().get(i));
      if (cmp != 0) {
        return key.descending() ? -cmp : cmp;
      }
    }
    return Names.compare(c.id(), cursor.id());
  }
}
