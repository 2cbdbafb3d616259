package io.polysync.adapter.sql;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.val;

import io.polysync.spi.JsonValue;
import io.polysync.spi.Query;
import java.util.List;
import java.util.regex.Pattern;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.OrderField;
import org.jooq.impl.DSL;

/**
 * Body push-down on SQLite's JSON functions, for the tests they answer exactly: presence, and
 * equality or order against strings, booleans and null. {@code json_type} tells a missing member
 * (NULL) from a JSON null, and {@code json_extract} yields a string's text, which SQLite compares
 * byte-wise, i.e. by code point. Numbers are not pushed down, since SQLite holds JSON numbers as
 * doubles and 64-bit integers, which cannot tell every pair of JSON numbers apart; nor are sorts on
 * body fields, which need that number order.
 */
final class SqliteBodyFields implements SqlBodyFields {
  /** Member names that need no quoting in a JSON path. */
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_]+");

  @Override
  public Field<Object> extract(List<String> path) {
    StringBuilder p = new StringBuilder("$");
    for (String name : path) {
      if (!PLAIN.matcher(name).matches()) {
        throw new SqlQueryStore.NotPushable();
      }
      p.append(".\"").append(name).append('"');
    }
    return field("{0}", Object.class, val(p.toString()));
  }

  private static Field<String> type(Field<Object> path) {
    return field("coalesce(json_type({0}, {1}), '')", String.class, SqlTables.DOC_BODY, path);
  }

  private static Field<String> text(Field<Object> path) {
    return field("json_extract({0}, {1})", String.class, SqlTables.DOC_BODY, path);
  }

  @Override
  public Condition exists(Field<Object> path, boolean exists) {
    return exists ? type(path).ne("") : type(path).eq("");
  }

  @Override
  public Condition equal(Field<Object> path, JsonValue operand) {
    return switch (operand) {
      case JsonValue.JsonNull n -> type(path).eq("null");
      case JsonValue.JsonBoolean b -> type(path).eq(b.value() ? "true" : "false");
      case JsonValue.JsonString s -> DSL.and(type(path).eq("text"), text(path).eq(s.value()));
      default -> throw new SqlQueryStore.NotPushable();
    };
  }

  @Override
  public Condition compare(Field<Object> path, Query.Op op, JsonValue operand) {
    if (!(operand instanceof JsonValue.JsonString s)) {
      throw new SqlQueryStore.NotPushable();
    }
    Field<String> t = text(path);
    Condition test =
        switch (op) {
          case LT -> t.lt(s.value());
          case LE -> t.le(s.value());
          case GT -> t.gt(s.value());
          case GE -> t.ge(s.value());
          default -> throw new IllegalArgumentException(op.toString());
        };
    return DSL.and(type(path).eq("text"), test);
  }

  @Override
  public Field<Integer> rank(Field<Object> value) {
    throw new SqlQueryStore.NotPushable();
  }

  @Override
  public List<OrderField<?>> order(Field<Object> value, boolean descending) {
    throw new SqlQueryStore.NotPushable();
  }

  @Override
  public Condition isContainer(Field<Object> value) {
    throw new SqlQueryStore.NotPushable();
  }
}
