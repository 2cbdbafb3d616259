package io.polysync.adapter.sql;

import io.polysync.spi.JsonValue;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The adapter's small JSON needs, without a JSON library: namespace metadata as a flat object of
 * strings, and the check of which query bodies the backends' JSON types store exactly.
 */
final class SqlJson {
  private SqlJson() {}

  static String writeStringMap(Map<String, String> map) {
    Map<String, JsonValue> members = new LinkedHashMap<>();
    new TreeMap<>(map).forEach((k, v) -> members.put(k, new JsonValue.JsonString(v)));
    return new JsonValue.JsonObject(members).toJson();
  }

  static Map<String, String> readStringMap(String json) {
    Parser p = new Parser(json);
    Map<String, String> out = new LinkedHashMap<>();
    p.skipSpace();
    p.expect('{');
    p.skipSpace();
    if (p.peek() == '}') {
      p.pos++;
      return out;
    }
    while (true) {
      p.skipSpace();
      String key = p.string();
      p.skipSpace();
      p.expect(':');
      p.skipSpace();
      out.put(key, p.string());
      p.skipSpace();
      char c = p.next();
      if (c == '}') {
        return out;
      }
      if (c != ',') {
        throw p.corrupt();
      }
    }
  }

  /**
   * Whether every backend's JSON type keeps {@code value} exactly: no NUL and no lone surrogate in
   * any string or key (PostgreSQL's jsonb rejects both), and numbers within jsonb's numeric range.
   */
  static boolean storesExactly(JsonValue value) {
    return switch (value) {
      case JsonValue.JsonString s -> safeString(s.value());
      case JsonValue.JsonNumber n -> safeNumber(n.value());
      case JsonValue.JsonArray a -> a.values().stream().allMatch(SqlJson::storesExactly);
      case JsonValue.JsonObject o ->
          o.members().entrySet().stream()
              .allMatch(e -> safeString(e.getKey()) && storesExactly(e.getValue()));
      default -> true;
    };
  }

  static boolean safeNumber(BigDecimal n) {
    return Math.abs((long) n.scale()) <= 1000 && n.precision() <= 1000;
  }

  static boolean safeString(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  private static final class Parser {
    final String text;
    int pos;

    Parser(String text) {
      this.text = text;
    }

    char peek() {
      if (pos >= text.length()) {
        throw corrupt();
      }
      return text.charAt(pos);
    }

    char next() {
      char c = peek();
      pos++;
      return c;
    }

    void expect(char c) {
      if (next() != c) {
        throw corrupt();
      }
    }

    void skipSpace() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }

    String string() {
      expect('"');
      StringBuilder out = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return out.toString();
        }
        if (c != '\\') {
          out.append(c);
          continue;
        }
        char e = next();
        switch (e) {
          case '"', '\\', '/' -> out.append(e);
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'u' -> {
            if (pos + 4 > text.length()) {
              throw corrupt();
            }
            out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
            pos += 4;
          }
          default -> throw corrupt();
        }
      }
    }

    SyncException corrupt() {
      return new SyncException(
          StorageError.INTERNAL, "namespace metadata is not a JSON object of strings");
    }
  }
}
