package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.spi.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Between Jackson trees and the query AST's {@link JsonValue}s. */
final class Values {
  private Values() {}

  static JsonValue of(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return JsonValue.JsonNull.INSTANCE;
    }
    if (node.isBoolean()) {
      return node.booleanValue() ? JsonValue.JsonBoolean.TRUE : JsonValue.JsonBoolean.FALSE;
    }
    if (node.isNumber()) {
      return new JsonValue.JsonNumber(node.decimalValue());
    }
    if (node.isTextual()) {
      return new JsonValue.JsonString(node.textValue());
    }
    if (node.isArray()) {
      List<JsonValue> out = new ArrayList<>(node.size());
      node.forEach(v -> out.add(of(v)));
      return new JsonValue.JsonArray(out);
    }
    Map<String, JsonValue> members = new LinkedHashMap<>();
    node.properties().forEach(e -> members.put(e.getKey(), of(e.getValue())));
    return new JsonValue.JsonObject(members);
  }

  static JsonValue.JsonObject object(ObjectNode node) {
    return (JsonValue.JsonObject) of(node);
  }

  static JsonNode toJson(JsonValue value) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (value) {
      case JsonValue.JsonNull n -> f.nullNode();
      case JsonValue.JsonBoolean b -> f.booleanNode(b.value());
      case JsonValue.JsonNumber n -> f.numberNode(n.value());
      case JsonValue.JsonString s -> f.textNode(s.value());
      case JsonValue.JsonArray a -> {
        ArrayNode out = f.arrayNode();
        a.values().forEach(v -> out.add(toJson(v)));
        yield out;
      }
      case JsonValue.JsonObject o -> {
        ObjectNode out = f.objectNode();
        o.members().forEach((k, v) -> out.set(k, toJson(v)));
        yield out;
      }
    };
  }
}
