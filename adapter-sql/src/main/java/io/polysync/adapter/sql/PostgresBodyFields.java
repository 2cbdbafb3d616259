package io.polysync.adapter.sql;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.val;

import io.polysync.spi.JsonValue;
import io.polysync.spi.Query;
import java.math.BigDecimal;
import java.util.List;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.OrderField;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Body push-down on PostgreSQL's jsonb. Paths are walked with {@code ->} and text keys, which
 * yields NULL on arrays and scalars just as the evaluator finds no member there; jsonb equality
 * compares numbers by value and objects regardless of member order, as {@link JsonValue} does;
 * numbers are compared as numeric and strings byte-wise ({@code COLLATE "C"}), i.e. by code point.
 */
final class PostgresBodyFields implements SqlBodyFields {

  @Override
  public Field<Object> extract(List<String> path) {
    Field<Object> current = field("{0}", Object.class, SqlTables.DOC_BODY);
    for (String name : path) {
      current = field("({0} -> cast({1} as text))", Object.class, current, val(name));
    }
    return current;
  }

  @Override
  public Condition exists(Field<Object> value, boolean exists) {
    return exists ? value.isNotNull() : value.isNull();
  }

  @Override
  public Condition equal(Field<Object> value, JsonValue operand) {
    return DSL.condition(
        "({0} is not null and {0} = cast({1} as jsonb))", value, val(operand.toJson()));
  }

  @Override
  public Condition compare(Field<Object> value, Query.Op op, JsonValue operand) {
    String sqlOp =
        switch (op) {
          case LT -> "<";
          case LE -> "<=";
          case GT -> ">";
          case GE -> ">=";
          default -> throw new IllegalArgumentException(op.toString());
        };
    if (operand instanceof JsonValue.JsonNumber n) {
      return DSL.condition(
          "coalesce(case when jsonb_typeof({0}) = 'number' then cast({0} as numeric) "
              + sqlOp
              + " {1} end, false)",
          value,
          val(n.value(), SQLDataType.DECIMAL));
    }
    String s = ((JsonValue.JsonString) operand).value();
    return DSL.condition(
        "coalesce(case when jsonb_typeof({0}) = 'string' then ({0} #>> '{}') collate \"C\" "
            + sqlOp
            + " cast({1} as text) end, false)",
        value,
        val(s));
  }

  @Override
  public Field<Integer> rank(Field<Object> value) {
    return field(
        "(case jsonb_typeof({0}) when 'boolean' then (case when {0} = 'true'::jsonb then 2 else 1"
            + " end) when 'number' then 3 when 'string' then 4 when 'array' then 5 when 'object'"
            + " then 6 else 0 end)",
        Integer.class, value);
  }

  @Override
  public List<OrderField<?>> order(Field<Object> value, boolean descending) {
    Field<BigDecimal> number = number(value);
    Field<String> string = string(value);
    return descending ? List.of(number.desc(), string.desc()) : List.of(number.asc(), string.asc());
  }

  static Field<BigDecimal> number(Field<Object> value) {
    return field(
        "(case when jsonb_typeof({0}) = 'number' then cast({0} as numeric) end)",
        BigDecimal.class, value);
  }

  static Field<String> string(Field<Object> value) {
    return field(
        "(case when jsonb_typeof({0}) = 'string' then ({0} #>> '{}') end) collate \"C\"",
        String.class, value);
  }

  @Override
  public Condition isContainer(Field<Object> value) {
    return DSL.condition("coalesce(jsonb_typeof({0}) in ('array', 'object'), false)", value);
  }
}
