package io.polysync.engine.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.spi.JsonValue;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The engine's one JSON configuration, and conversions to the SPI's {@link JsonValue}. */
public final class Json {
  public static final ObjectMapper MAPPER = JsonMapper.builder().build();
  /** Sorted members, so equal bodies serialize to equal bytes whatever their member order. */
  static final ObjectMapper CANONICAL =
      JsonMapper.builder().enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED).build();
  public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Json() {}

  public static ObjectNode object() {
    return NODES.objectNode();
  }

  static byte[] canonicalBytes(JsonNode node) {
    try {
      return CANONICAL.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a JSON tree", e);
    }
  }

  /** Converts a Jackson tree to the SPI's value model (for query bodies and operands). */
  public static JsonValue toValue(JsonNode node) {
    return switch (node.getNodeType()) {
      case NULL, MISSING -> JsonValue.JsonNull.INSTANCE;
      case BOOLEAN -> node.booleanValue() ? JsonValue.JsonBoolean.TRUE : JsonValue.JsonBoolean.FALSE;
      case NUMBER -> new JsonValue.JsonNumber(
          node.isBigInteger() ? new BigDecimal(node.bigIntegerValue()) : node.decimalValue());
      case STRING, BINARY, POJO -> new JsonValue.JsonString(node.asText());
      case ARRAY -> {
        List<JsonValue> values = new ArrayList<>(node.size());
        node.forEach(e -> values.add(toValue(e)));
        yield new JsonValue.JsonArray(values);
      }
      case OBJECT -> toObject(node);
    };
  }

  public static JsonValue.JsonObject toObject(JsonNode node) {
    Map<String, JsonValue> members = new LinkedHashMap<>();
    node.properties().forEach(e -> members.put(e.getKey(), toValue(e.getValue())));
    return new JsonValue.JsonObject(members);
  }
}
