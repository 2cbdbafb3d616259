package io.polysync.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.polysync.engine.EngineError;
import io.polysync.spi.JsonValue;
import io.polysync.spi.Query;
import io.polysync.spi.Query.Filter;
import io.polysync.spi.SyncException;
import java.util.ArrayList;
import java.util.List;

/** Mango selector to {@link Filter}; see {@link io.polysync.engine.Selectors} for the subset. */
public final class SelectorTranslator {
  private SelectorTranslator() {}

  public static Filter translate(JsonNode selector) {
    if (selector == null || !selector.isObject()) {
      throw invalid("selector must be a JSON object");
    }
    return selectorFilter(selector);
  }

  private static Filter selectorFilter(JsonNode selector) {
    if (!selector.isObject()) {
      throw invalid("a selector must be a JSON object: " + selector);
    }
    List<Filter> parts = new ArrayList<>();
    for (var e : selector.properties()) {
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (key.startsWith("$")) {
        parts.add(switch (key) {
          case "$and" -> new Filter.And(selectors(key, value));
          case "$or" -> new Filter.Or(selectors(key, value));
          case "$nor" -> new Filter.Not(new Filter.Or(selectors(key, value)));
          case "$not" -> new Filter.Not(selectorFilter(value));
          default -> throw unsupported(key);
        });
      } else {
        parts.add(fieldCondition(path(List.of(), key), value));
      }
    }
    return parts.size() == 1 ? parts.get(0) : new Filter.And(parts);
  }

  private static List<Filter> selectors(String op, JsonNode value) {
    if (!value.isArray()) {
      throw invalid(op + " needs an array of selectors");
    }
    List<Filter> out = new ArrayList<>();
    value.forEach(v -> out.add(selectorFilter(v)));
    return out;
  }

  private static Filter fieldCondition(List<String> path, JsonNode value) {
    if (!value.isObject() || value.isEmpty()) {
      return compare(path, Query.Op.EQ, value);
    }
    boolean operators = value.fieldNames().next().startsWith("$");
    List<Filter> parts = new ArrayList<>();
    for (var e : value.properties()) {
      String key = e.getKey();
      if (key.startsWith("$") != operators) {
        throw invalid("cannot mix operators and fields in one object: " + value);
      }
      parts.add(operators ? operator(path, key, e.getValue()) : fieldCondition(path(path, key), e.getValue()));
    }
    return parts.size() == 1 ? parts.get(0) : new Filter.And(parts);
  }

  private static Filter operator(List<String> path, String op, JsonNode arg) {
    Query.Field field = field(path);
    return switch (op) {
      case "$eq" -> compare(path, Query.Op.EQ, arg);
      // Mango never matches a missing field except with $exists: false; the AST's NE does.
      case "$ne" -> new Filter.And(List.of(new Filter.Exists(field, true), compare(path, Query.Op.NE, arg)));
      case "$gt" -> ordered(path, Query.Op.GT, op, arg);
      case "$gte" -> ordered(path, Query.Op.GE, op, arg);
      case "$lt" -> ordered(path, Query.Op.LT, op, arg);
      case "$lte" -> ordered(path, Query.Op.LE, op, arg);
      case "$in" -> in(field, op, arg);
      case "$nin" -> new Filter.And(List.of(new Filter.Exists(field, true), new Filter.Not(in(field, op, arg))));
      case "$exists" -> {
        if (!arg.isBoolean()) {
          throw invalid("$exists needs true or false");
        }
        yield new Filter.Exists(field, arg.booleanValue());
      }
      case "$not" -> new Filter.Not(fieldCondition(path, arg));
      case "$and" -> new Filter.And(conditions(path, op, arg));
      case "$or" -> new Filter.Or(conditions(path, op, arg));
      case "$nor" -> new Filter.Not(new Filter.Or(conditions(path, op, arg)));
      default -> throw unsupported(op);
    };
  }

  private static List<Filter> conditions(List<String> path, String op, JsonNode arg) {
    if (!arg.isArray()) {
      throw invalid(op + " needs an array");
    }
    List<Filter> out = new ArrayList<>();
    arg.forEach(v -> out.add(fieldCondition(path, v)));
    return out;
  }

  private static Filter in(Query.Field field, String op, JsonNode arg) {
    if (!arg.isArray()) {
      throw invalid(op + " needs an array");
    }
    if (arg.isEmpty()) {
      return new Filter.Or(List.of());
    }
    List<JsonValue> values = new ArrayList<>();
    arg.forEach(v -> values.add(Json.toValue(v)));
    return new Filter.In(field, values);
  }

  private static Filter ordered(List<String> path, Query.Op op, String name, JsonNode arg) {
    if (!arg.isNumber() && !arg.isTextual()) {
      throw invalid(name + " is supported with a number or a string operand only");
    }
    return compare(path, op, arg);
  }

  private static Filter compare(List<String> path, Query.Op op, JsonNode arg) {
    return new Filter.Compare(field(path), op, Json.toValue(arg));
  }

  private static Query.Field field(List<String> path) {
    if (path.size() == 1 && path.get(0).equals("_id")) {
      return Query.Field.id();
    }
    return new Query.Field.Body(path);
  }

  private static List<String> path(List<String> prefix, String dotted) {
    List<String> out = new ArrayList<>(prefix);
    for (String part : dotted.split("\\.", -1)) {
      if (part.isEmpty()) {
        throw invalid("empty segment in field name '" + dotted + "'");
      }
      out.add(part);
    }
    return out;
  }

  private static SyncException unsupported(String op) {
    return invalid("unsupported selector operator " + op);
  }

  private static SyncException invalid(String message) {
    return new SyncException(EngineError.INVALID_SELECTOR, message);
  }
}
