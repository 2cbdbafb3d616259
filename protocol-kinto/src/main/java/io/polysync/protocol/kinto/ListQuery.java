package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.spi.JsonValue;
import io.polysync.spi.Query;
import io.polysync.spi.Query.Field;
import io.polysync.spi.Query.Filter;
import io.polysync.spi.Query.Op;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A plural GET's parameters (Kinto's {@code _extract_filters}, {@code _extract_sorting}, {@code
 * _extract_limit}): filters as the query AST wherever it can say them (so the storage answers them,
 * or the engine's reference evaluator), the rest ({@code like_}, {@code contains_}, {@code
 * contains_any_}) as predicates applied after; the sort with {@code last_modified} as tie-breaker;
 * the page size and the keyset token.
 *
 * @param withTombstones whether deleted objects are listed: any filter on {@code last_modified} asks for them
 */
record ListQuery(
    List<Filter> filters, List<Predicate<ObjectNode>> residual, List<Query.SortKey> sort, int limit,
    Optional<Query.Cursor> after, boolean withTombstones, Optional<List<String>> fields) {

  static final int MAX_FETCH = 10_000;
  private static final long FUTURE_SLACK_MILLIS = 24L * 3600 * 1000;

  ListQuery {
    filters = List.copyOf(filters);
    residual = List.copyOf(residual);
    sort = List.copyOf(sort);
  }

  Filter filter() {
    return filters.isEmpty() ? Filter.all() : filters.size() == 1 ? filters.get(0) : new Filter.And(filters);
  }

  ListQuery withFilter(Filter extra) {
    List<Filter> all = new ArrayList<>(filters);
    all.add(extra);
    return new ListQuery(all, residual, sort, limit, after, withTombstones, fields);
  }

  ListQuery withLimit(int value) {
    return new ListQuery(filters, residual, sort, value, after, withTombstones, fields);
  }

  ListQuery withoutPaging() {
    return new ListQuery(filters, residual, sort, MAX_FETCH, Optional.empty(), withTombstones, fields);
  }

  Query query(int pageSize, Optional<Query.Cursor> from) {
    return new Query(filter(), sort, from, pageSize, withTombstones);
  }

  boolean matchesResidual(ObjectNode fields) {
    for (Predicate<ObjectNode> p : residual) {
      if (!p.test(fields)) {
        return false;
      }
    }
    return true;
  }

  static ListQuery parse(List<Map.Entry<String, String>> params, long now) {
    List<Filter> filters = new ArrayList<>();
    List<Predicate<ObjectNode>> residual = new ArrayList<>();
    List<Query.SortKey> sort = new ArrayList<>();
    int limit = MAX_FETCH;
    Optional<Query.Cursor> after = Optional.empty();
    boolean tombstones = false;
    Optional<List<String>> fields = Optional.empty();
    for (Map.Entry<String, String> e : params) {
      String key = e.getKey();
      String raw = e.getValue();
      switch (key) {
        case "_since", "_to", "_before" -> {
          long ts = timestamp(key, raw, now);
          if (ts >= 0) {
            filters.add(new Filter.Compare(new Field.Timestamp(), key.equals("_since") ? Op.GT : Op.LT,
                JsonValue.JsonNumber.of(ts)));
          }
          tombstones = true;
        }
        case "_sort" -> {
          for (String part : raw.split(",")) {
            String name = part.trim();
            if (name.isEmpty()) {
              continue;
            }
            boolean desc = name.startsWith("-");
            if (desc || name.startsWith("+")) {
              name = name.substring(1);
            }
            checkFieldName("_sort", name);
            sort.add(new Query.SortKey(field(name), desc));
          }
        }
        case "_limit" -> {
          try {
            limit = Integer.parseInt(raw.trim());
          } catch (NumberFormatException ex) {
            throw KintoException.invalid("querystring", "_limit", "\"" + raw + "\" is not a number");
          }
          if (limit <= 0) {
            throw KintoException.invalid("querystring", "_limit", "must be positive");
          }
          limit = Math.min(limit, MAX_FETCH);
        }
        case "_token" -> after = raw.isEmpty() ? Optional.empty() : Optional.of(decodeToken(raw));
        case "_fields" -> {
          List<String> names = new ArrayList<>();
          for (String f : raw.split(",")) {
            if (!f.isBlank()) {
              names.add(f.trim());
            }
          }
          fields = Optional.of(names);
        }
        default -> {
          if (key.startsWith("_") || key.isEmpty()) {
            continue; // Kinto ignores other underscore parameters (_expected, cache-busters).
          }
          tombstones |= parseFilter(key, raw, filters, residual);
        }
      }
    }
    boolean hasTimestamp = sort.stream().anyMatch(k -> k.field() instanceof Field.Timestamp);
    if (sort.isEmpty()) {
      sort.add(new Query.SortKey(new Field.Timestamp(), true));
    } else if (!hasTimestamp) {
      sort.add(new Query.SortKey(new Field.Timestamp(), true));
    }
    if (after.isPresent() && after.get().values().size() != sort.size()) {
      throw KintoException.invalid("querystring", "_token", "does not belong to this listing");
    }
    return new ListQuery(filters, residual, sort, limit, after, tombstones, fields);
  }

  private static final String[] PREFIXES = {
    "contains_any_", "contains_", "exclude_", "min_", "max_", "not_", "like_", "has_", "eq_", "lt_", "gt_", "in_"};

  /** Adds one filter; returns whether it is on {@code last_modified} (which lists tombstones too). */
  private static boolean parseFilter(String key, String raw, List<Filter> filters, List<Predicate<ObjectNode>> residual) {
    String op = "";
    String name = key;
    for (String prefix : PREFIXES) {
      if (key.startsWith(prefix) && key.length() > prefix.length()) {
        op = prefix;
        name = key.substring(prefix.length());
        break;
      }
    }
    checkFieldName(key, name);
    Field field = field(name);
    boolean onTimestamp = field instanceof Field.Timestamp;
    switch (op) {
      case "", "eq_" -> filters.add(new Filter.Compare(field, Op.EQ, value(key, field, raw)));
      case "not_" -> filters.add(new Filter.Compare(field, Op.NE, value(key, field, raw)));
      case "min_" -> filters.add(new Filter.Compare(field, Op.GE, ordered(key, field, raw)));
      case "max_" -> filters.add(new Filter.Compare(field, Op.LE, ordered(key, field, raw)));
      case "lt_" -> filters.add(new Filter.Compare(field, Op.LT, ordered(key, field, raw)));
      case "gt_" -> filters.add(new Filter.Compare(field, Op.GT, ordered(key, field, raw)));
      case "in_", "exclude_" -> {
        List<JsonValue> values = new ArrayList<>();
        for (String part : raw.split(",")) {
          values.add(value(key, field, part.trim()));
        }
        Filter in = new Filter.In(field, values);
        filters.add(op.equals("in_") ? in : new Filter.Not(in));
      }
      case "has_" -> {
        JsonNode v = Json.queryValue(raw);
        boolean exists = !(v.isBoolean() && !v.booleanValue()) && !raw.equals("0") && !raw.equalsIgnoreCase("false");
        filters.add(new Filter.Exists(field, exists));
      }
      case "like_" -> residual.add(like(name, raw));
      case "contains_", "contains_any_" -> residual.add(contains(name, raw, op.equals("contains_any_")));
      default -> throw new IllegalStateException(op);
    }
    return onTimestamp;
  }

  private static void checkFieldName(String param, String name) {
    if (name.isEmpty() || name.startsWith(".") || name.endsWith(".") || name.contains("..")) {
      throw KintoException.invalid("querystring", param, "Unknown filter field '" + name + "'");
    }
  }

  static Field field(String name) {
    return switch (name) {
      case "id" -> new Field.Id();
      case "last_modified" -> new Field.Timestamp();
      default -> new Field.Body(List.of(name.split("\\.")));
    };
  }

  private static JsonValue value(String param, Field field, String raw) {
    if (field instanceof Field.Id) {
      return new JsonValue.JsonString(unquote(raw));
    }
    if (field instanceof Field.Timestamp) {
      return JsonValue.JsonNumber.of(integer(param, raw));
    }
    return Values.of(Json.queryValue(raw));
  }

  private static JsonValue ordered(String param, Field field, String raw) {
    JsonValue v = value(param, field, raw);
    if (!(v instanceof JsonValue.JsonNumber || v instanceof JsonValue.JsonString)) {
      throw KintoException.invalid("querystring", param, "Invalid value for " + param);
    }
    return v;
  }

  private static long integer(String param, String raw) {
    try {
      return Long.parseLong(unquote(raw).trim());
    } catch (NumberFormatException e) {
      throw KintoException.invalid("querystring", param, "Invalid value for " + param);
    }
  }

  private static String unquote(String raw) {
    return raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"") ? raw.substring(1, raw.length() - 1) : raw;
  }

  /** {@code _since}/{@code _before}: an integer, maybe quoted, or {@code null} (no filter, -1). */
  private static long timestamp(String param, String raw, long now) {
    String v = unquote(raw.trim());
    if (v.equals("null") || v.isEmpty()) {
      return -1;
    }
    long ts;
    try {
      ts = Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw KintoException.invalid("querystring", param, "Invalid value for " + param);
    }
    if (ts < 0 || ts > now + FUTURE_SLACK_MILLIS) {
      throw KintoException.invalid("querystring", param, "Invalid value for " + param);
    }
    return ts;
  }

  private static JsonNode path(ObjectNode fields, String name) {
    JsonNode node = fields;
    for (String part : name.split("\\.")) {
      node = node == null ? null : node.get(part);
    }
    return node;
  }

  /** {@code like_}: {@code *} matches anything; without one, a substring match (Kinto's rule). */
  private static Predicate<ObjectNode> like(String name, String raw) {
    StringBuilder regex = new StringBuilder();
    for (String part : raw.split("\\*", -1)) {
      if (!regex.isEmpty()) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(part));
    }
    Pattern pattern = Pattern.compile(regex.toString(), Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    return fields -> {
      JsonNode v = name.equals("id") ? fields.get("id") : path(fields, name);
      return v != null && v.isValueNode() && !v.isNull() && pattern.matcher(v.asText()).find();
    };
  }

  private static Predicate<ObjectNode> contains(String name, String raw, boolean any) {
    JsonNode wanted = Json.queryValue(raw);
    List<JsonNode> values = new ArrayList<>();
    if (wanted.isArray()) {
      wanted.forEach(values::add);
    } else {
      values.add(wanted);
    }
    return fields -> {
      JsonNode v = path(fields, name);
      if (v == null || !v.isArray()) {
        return false;
      }
      List<JsonValue> have = new ArrayList<>();
      v.forEach(x -> have.add(Values.of(x)));
      for (JsonNode w : values) {
        boolean found = have.contains(Values.of(w));
        if (any && found) {
          return true;
        }
        if (!any && !found) {
          return false;
        }
      }
      return !any;
    };
  }

  // ---------------------------------------------------------------- tokens

  static String encodeToken(Query.Cursor cursor) {
    ObjectNode token = Json.object();
    ArrayNode values = token.putArray("v");
    cursor.values().forEach(v -> values.add(Values.toJson(v)));
    token.put("i", cursor.id());
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(token));
  }

  static Query.Cursor decodeToken(String raw) {
    try {
      JsonNode token = Json.MAPPER.readTree(new String(Base64.getUrlDecoder().decode(raw.trim()), StandardCharsets.UTF_8));
      if (token == null || !token.path("v").isArray() || !token.path("i").isTextual()) {
        throw new IllegalArgumentException("token shape");
      }
      List<JsonValue> values = new ArrayList<>();
      token.get("v").forEach(v -> values.add(Values.of(v)));
      return new Query.Cursor(values, token.get("i").asText());
    } catch (IllegalArgumentException | java.io.IOException e) {
      throw KintoException.invalid("querystring", "_token", "Invalid pagination token");
    }
  }
}
