package io.polysync.adapter.sql;

import io.polysync.spi.JsonValue;
import io.polysync.spi.Query;
import java.util.List;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.OrderField;

/**
 * Push-down of body-field tests and sorts for a backend whose JSON functions reproduce {@link
 * io.polysync.spi.QueryEvaluator} exactly. Every condition is two-valued (never SQL NULL), so
 * {@code NOT} keeps the evaluator's meaning; a construct the backend cannot answer exactly throws
 * {@link SqlQueryStore.NotPushable}.
 */
interface SqlBodyFields {
  /** The value at {@code path}: SQL NULL when missing. */
  Field<Object> extract(List<String> path);

  Condition exists(Field<Object> value, boolean exists);

  /** The field is present and equal to {@code value} (JSON equality: numbers by value). */
  Condition equal(Field<Object> value, JsonValue operand);

  /** The field is present, of {@code operand}'s type (number or string) and compares so. */
  Condition compare(Field<Object> value, Query.Op op, JsonValue operand);

  /**
   * The collation rank of the value: 0 missing or null, 1 false, 2 true, 3 number, ... 6 object.
   */
  Field<Integer> rank(Field<Object> value);

  /** Sort expressions after the rank that order values of equal rank (numbers and strings). */
  List<OrderField<?>> order(Field<Object> value, boolean descending);

  /** Whether this value is an array or object (which no pushed-down sort can order exactly). */
  Condition isContainer(Field<Object> value);
}
