package io.polysync.protocol.kinto;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.protocol.spi.JsonLimits;

/** The one Jackson mapper of the front-end. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  static {
    // The HTTP layer parses bodies under the configured limits (KintoHttp#parseWithLimits);
    // this is the ceiling for everything else this mapper reads.
    MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(1000)
        .maxStringLength(Integer.MAX_VALUE - 16).build());
  }

  private Json() {}

  /** A copy of {@link #MAPPER} that reads under {@code limits}; the shared mapper is unchanged. */
  static ObjectMapper reader(JsonLimits limits, long maxRequestBytes) {
    ObjectMapper copy = MAPPER.copy();
    copy.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(limits.maxDepth())
        .maxStringLength(limits.effectiveMaxStringLength(maxRequestBytes))
        .maxNumberLength(limits.maxNumberLength())
        .maxNameLength(limits.maxNameLength())
        .build());
    return copy;
  }

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** Parses a request body; Kinto's 400 errno 106 when it is not JSON. */
  static JsonNode parse(byte[] bytes) {
    try {
      JsonNode node = MAPPER.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        throw KintoException.badJson("the body is empty");
      }
      return node;
    } catch (StreamConstraintsException e) {
      throw KintoException.badJson(JsonLimits.describe(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw KintoException.badJson(e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw KintoException.badJson("the body cannot be read");
    }
  }

  /** A JSON value of a query string: decoded where it parses, else the text itself (Kinto's rule). */
  static JsonNode queryValue(String raw) {
    try {
      JsonNode node = MAPPER.readTree(raw);
      return node == null || node.isMissingNode() ? MAPPER.getNodeFactory().textNode(raw) : node;
    } catch (JsonProcessingException e) {
      return MAPPER.getNodeFactory().textNode(raw);
    }
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
