package io.polysync.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

final class TestDocs {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private TestDocs() {}

  static ObjectNode doc(String id) {
    return MAPPER.createObjectNode().put("_id", id);
  }

  /** JSON with single quotes for readability in tests. */
  static ObjectNode json(String text) {
    try {
      JsonNode node = MAPPER.readTree(text.replace('\'', '"'));
      return (ObjectNode) node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
