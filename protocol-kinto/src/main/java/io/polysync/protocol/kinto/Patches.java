package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.json.JsonException;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kinto's three PATCH flavours, by content type: {@code application/json} merges the top level of
 * {@code data} (sub-objects are replaced), {@code application/merge-patch+json} is RFC 7396 on
 * {@code data}, {@code application/json-patch+json} is RFC 6902 on {@code {data, permissions}}
 * with permissions as {@code /permissions/<name>/<principal>} members. The RFCs are applied by
 * Jakarta JSON Processing.
 */
final class Patches {
  record Result(ObjectNode fields, Perms perms) {}

  private Patches() {}

  static Result apply(String contentType, JsonNode body, ObjectNode fields, Perms perms, List<String> allowed) {
    return switch (contentType) {
      case "application/json-patch+json" -> jsonPatch(body, fields, perms, allowed);
      case "application/merge-patch+json" -> merge(body, fields, perms, allowed, (out, data) ->
          (ObjectNode) fromJsonP(jakarta.json.Json.createMergePatch(toJsonP(data)).apply(toJsonP(out))));
      case "application/json" -> merge(body, fields, perms, allowed, (out, data) -> {
        out.setAll(data);
        return out;
      });
      default -> throw new KintoException(415, KintoException.INVALID_PARAMETERS,
          "Accepted media types: application/json, application/merge-patch+json, application/json-patch+json");
    };
  }

  /** The object flavours: {@code data} merged into a copy of the fields; permissions replaced per name. */
  private static Result merge(JsonNode body, ObjectNode fields, Perms perms, List<String> allowed,
      java.util.function.BinaryOperator<ObjectNode> mergeData) {
    requireObject(body);
    ObjectNode out = fields.deepCopy();
    JsonNode data = body.get("data");
    if (data != null && !data.isNull()) {
      if (!data.isObject()) {
        throw KintoException.invalid("body", "data", "must be an object");
      }
      out = mergeData.apply(out, (ObjectNode) data);
    }
    return new Result(out, perms.replacing(Perms.fromRequest(body.get("permissions"), allowed)));
  }

  private static void requireObject(JsonNode body) {
    if (!body.isObject()) {
      throw KintoException.invalid("body", "data", "must be an object");
    }
  }

  private static Result jsonPatch(JsonNode body, ObjectNode fields, Perms perms, List<String> allowed) {
    if (!body.isArray()) {
      throw KintoException.invalid("body", "body", "a JSON Patch is a list of operations");
    }
    ObjectNode doc = Json.object();
    doc.set("data", fields.deepCopy());
    ObjectNode p = doc.putObject("permissions");
    for (String name : allowed) {
      ObjectNode members = p.putObject(name);
      perms.get(name).forEach(principal -> members.put(principal, true));
    }
    JsonStructure patched;
    try {
      patched = jakarta.json.Json.createPatch(toJsonP(body).asJsonArray()).apply((JsonStructure) toJsonP(doc));
    } catch (JsonException | ClassCastException e) {
      throw KintoException.invalid("body", "body", "the patch does not apply: " + e.getMessage());
    }
    JsonNode result = fromJsonP(patched);
    JsonNode data = result.get("data");
    if (data == null || !data.isObject()) {
      throw KintoException.invalid("body", "data", "must stay an object");
    }
    Map<String, Set<String>> out = new LinkedHashMap<>();
    JsonNode newPerms = result.path("permissions");
    for (var e : newPerms.properties()) {
      if (!allowed.contains(e.getKey())) {
        throw KintoException.invalid("body", "permissions", "'" + e.getKey() + "' is not one of " + allowed);
      }
      Set<String> principals = new LinkedHashSet<>();
      if (e.getValue().isObject()) {
        e.getValue().properties().forEach(m -> principals.add(m.getKey()));
      } else if (e.getValue().isArray()) {
        e.getValue().forEach(v -> principals.add(v.asText()));
      }
      out.put(e.getKey(), principals);
    }
    return new Result((ObjectNode) data, new Perms(out));
  }

  private static JsonValue toJsonP(JsonNode node) {
    try (var reader = jakarta.json.Json.createReader(new StringReader(node.toString()))) {
      return reader.readValue();
    }
  }

  private static JsonNode fromJsonP(JsonValue value) {
    try {
      return Json.MAPPER.readTree(value.toString());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
