package io.polysync.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * A backend-neutral query over one namespace's documents: filter, sort, keyset cursor, limit.
 * {@link QueryEvaluator} defines its meaning; adapters that push queries down must return exactly
 * what it returns.
 *
 * <p>Order: by each {@link SortKey} in turn (a missing field sorts as {@code null}), then by id
 * ascending, so every order is total and a cursor names one position.
 *
 * @param filter which documents match
 * @param sort the sort keys, possibly empty (then by id alone)
 * @param after start strictly after this position, or from the beginning
 * @param limit the most documents to return (positive)
 * @param includeDeleted whether documents whose winner is deleted take part (their body is empty)
 */
public record Query(
    Filter filter, List<SortKey> sort, Optional<Cursor> after, int limit, boolean includeDeleted) {

  public Query {
    requireNonNull(filter, "filter is null");
    sort = List.copyOf(sort);
    requireNonNull(after, "after is null");
    if (limit <= 0) {
      throw new SyncException(StorageError.INVALID_ARGUMENT, "limit must be positive: " + limit);
    }
    if (after.isPresent() && after.get().values().size() != sort.size()) {
      throw new SyncException(
          StorageError.INVALID_ARGUMENT, "cursor has " + after.get().values().size()
              + " values for " + sort.size() + " sort keys");
    }
  }

  /** A field of a document a query can test or sort by. */
  public sealed interface Field {
    /** The document id, as a string. */
    record Id() implements Field {}

    /** The sequence number of the document's latest write, as a number. */
    record Seq() implements Field {}

    /** The timestamp of the document's latest write, as a number. */
    record Timestamp() implements Field {}

    /** A member of the winning body, reached through nested objects (never array indexes). */
    record Body(List<String> path) implements Field {
      public Body {
        path = List.copyOf(path);
        if (path.isEmpty()) {
          throw new SyncException(StorageError.INVALID_ARGUMENT, "body field path is empty");
        }
      }
    }

    static Field id() {
      return new Id();
    }

    static Field seq() {
      return new Seq();
    }

    static Field timestamp() {
      return new Timestamp();
    }

    static Field body(String... path) {
      return new Body(List.of(path));
    }
  }

  /** Comparison operators of {@link Filter.Compare}. */
  public enum Op {
    EQ,
    NE,
    LT,
    LE,
    GT,
    GE
  }

  /** Which documents match. */
  public sealed interface Filter {
    /** Matches every document. */
    record All() implements Filter {}

    /**
     * {@code EQ}: the field is present and equal to {@code value}. {@code NE}: the field is missing
     * or not equal. {@code LT/LE/GT/GE}: the field is present, of the same type as {@code value}
     * (which must be a number or a string), and compares so.
     */
    record Compare(Field field, Op op, JsonValue value) implements Filter {
      public Compare {
        requireNonNull(field, "field is null");
        requireNonNull(op, "op is null");
        requireNonNull(value, "value is null");
        if (op != Op.EQ && op != Op.NE
            && !(value instanceof JsonValue.JsonNumber || value instanceof JsonValue.JsonString)) {
          throw new SyncException(
              StorageError.INVALID_ARGUMENT, op + " compares numbers or strings only");
        }
      }
    }

    /** The field is present and equal to one of {@code values} (non-empty). */
    record In(Field field, List<JsonValue> values) implements Filter {
      public In {
        requireNonNull(field, "field is null");
        values = List.copyOf(values);
        if (values.isEmpty()) {
          throw new SyncException(StorageError.INVALID_ARGUMENT, "IN needs at least one value");
        }
      }
    }

    /** The field is present ({@code exists}) or missing ({@code !exists}). */
    record Exists(Field field, boolean exists) implements Filter {
      public Exists {
        requireNonNull(field, "field is null");
      }
    }

    /** Every filter matches (true when empty). */
    record And(List<Filter> filters) implements Filter {
      public And {
        filters = List.copyOf(filters);
      }
    }

    /** At least one filter matches (false when empty). */
    record Or(List<Filter> filters) implements Filter {
      public Or {
        filters = List.copyOf(filters);
      }
    }

    record Not(Filter filter) implements Filter {
      public Not {
        requireNonNull(filter, "filter is null");
      }
    }

    static Filter all() {
      return new All();
    }
  }

  /** One sort key. */
  public record SortKey(Field field, boolean descending) {
    public SortKey {
      requireNonNull(field, "field is null");
    }
  }

  /**
   * A position in a query's order: the sort key values of the last document returned (missing
   * fields as {@code null}) and its id.
   */
  public record Cursor(List<JsonValue> values, String id) {
    public Cursor {
      values = List.copyOf(values);
      requireNonNull(id, "id is null");
    }
  }
}
