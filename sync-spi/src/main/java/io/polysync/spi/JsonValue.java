package io.polysync.spi;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON value, just enough of one to carry query bodies and query operands across the SPI without
 * a JSON library (the SPI depends on the JDK alone). The engine converts from its own tree model.
 *
 * <p>Ordering ({@link #compare}) is the collation of the query AST: {@code null < false < true <
 * numbers < strings < arrays < objects}; numbers by value, strings by Unicode code point, arrays
 * element by element then by length, objects by their entries in key order then by size.
 */
public sealed interface JsonValue extends Comparable<JsonValue> {

  /** Compact JSON text; strings escaped as RFC 8259 requires. */
  String toJson();

  @Override
  default int compareTo(JsonValue other) {
    return compare(this, other);
  }

  /** The JSON {@code null}. */
  record JsonNull() implements JsonValue {
    public static final JsonNull INSTANCE = new JsonNull();

    @Override
    public String toJson() {
      return "null";
    }
  }

  record JsonBoolean(boolean value) implements JsonValue {
    public static final JsonBoolean TRUE = new JsonBoolean(true);
    public static final JsonBoolean FALSE = new JsonBoolean(false);

    @Override
    public String toJson() {
      return Boolean.toString(value);
    }
  }

  /** A number; equal when numerically equal ({@code 1} equals {@code 1.0}). */
  record JsonNumber(BigDecimal value) implements JsonValue {
    public JsonNumber {
      requireNonNull(value, "value is null");
    }

    public static JsonNumber of(long value) {
      return new JsonNumber(BigDecimal.valueOf(value));
    }

    public static JsonNumber of(double value) {
      return new JsonNumber(BigDecimal.valueOf(value));
    }

    @Override
    public String toJson() {
      return value.toString();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof JsonNumber n && value.compareTo(n.value) == 0;
    }

    @Override
    public int hashCode() {
      return value.stripTrailingZeros().hashCode();
    }
  }

  record JsonString(String value) implements JsonValue {
    public JsonString {
      requireNonNull(value, "value is null");
    }

    @Override
    public String toJson() {
      return quote(value);
    }
  }

  record JsonArray(List<JsonValue> values) implements JsonValue {
    public JsonArray {
      values = List.copyOf(values);
    }

    @Override
    public String toJson() {
      StringBuilder out = new StringBuilder("[");
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(values.get(i).toJson());
      }
      return out.append(']').toString();
    }
  }

  /** An object; member order is kept for output, ignored for equality. */
  record JsonObject(Map<String, JsonValue> members) implements JsonValue {
    public JsonObject {
      members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
      for (var e : members.entrySet()) {
        requireNonNull(e.getKey(), "member name is null");
        requireNonNull(e.getValue(), "member value is null");
      }
    }

    public static JsonObject empty() {
      return new JsonObject(Map.of());
    }

    @Override
    public String toJson() {
      StringBuilder out = new StringBuilder("{");
      Iterator<Map.Entry<String, JsonValue>> it = members.entrySet().iterator();
      while (it.hasNext()) {
        var e = it.next();
        out.append(quote(e.getKey())).append(':').append(e.getValue().toJson());
        if (it.hasNext()) {
          out.append(',');
        }
      }
      return out.append('}').toString();
    }
  }

  /** The rank of a value's type in the collation. */
  static int typeRank(JsonValue value) {
    return switch (value) {
      case JsonNull n -> 0;
      case JsonBoolean b -> b.value() ? 2 : 1;
      case JsonNumber n -> 3;
      case JsonString s -> 4;
      case JsonArray a -> 5;
      case JsonObject o -> 6;
    };
  }

  /** The collation described on {@link JsonValue}. */
  static int compare(JsonValue a, JsonValue b) {
    int rank = Integer.compare(typeRank(a), typeRank(b));
    if (rank != 0) {
      return rank;
    }
    return switch (a) {
      case JsonNumber n -> n.value().compareTo(((JsonNumber) b).value());
      case JsonString s -> Names.compare(s.value(), ((JsonString) b).value());
      case JsonArray x -> {
        List<JsonValue> y = ((JsonArray) b).values();
        for (int i = 0; i < Math.min(x.values().size(), y.size()); i++) {
          int c = compare(x.values().get(i), y.get(i));
          if (c != 0) {
            yield c;
          }
        }
        yield Integer.compare(x.values().size(), y.size());
      }
      case JsonObject x -> {
        var xs = x.members().entrySet().stream().sorted(Map.Entry.comparingByKey(Names::compare)).toList();
        var ys = ((JsonObject) b).members().entrySet().stream()
            .sorted(Map.Entry.comparingByKey(Names::compare)).toList();
        for (int i = 0; i < Math.min(xs.size(), ys.size()); i++) {
          int c = Names.compare(xs.get(i).getKey(), ys.get(i).getKey());
          if (c == 0) {
            c = compare(xs.get(i).getValue(), ys.get(i).getValue());
          }
          if (c != 0) {
            yield c;
          }
        }
        yield Integer.compare(xs.size(), ys.size());
      }
      default -> 0; // null and booleans: the rank says it all
    };
  }

  private static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || Character.isSurrogate(c) && !wellFormedAt(s, i)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static boolean wellFormedAt(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
