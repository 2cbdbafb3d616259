package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kinto's collection schemas: a collection whose {@code data.schema} holds a JSON schema (draft 7
 * unless it names another with {@code $schema}) accepts only records that validate; a record that
 * passes gets a {@code schema} field with the collection's timestamp, as in Kinto. Validation is
 * by networknt's json-schema-validator, whose default loader never fetches a remote {@code $ref}.
 */
final class Schemas implements KintoSettings.RecordValidator {
  private static final int CACHE_LIMIT = 256;
  private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
  private final Map<String, Schema> compiled = new ConcurrentHashMap<>();

  @Override
  public void validate(Catalog catalog, KintoApi.Target record, ObjectNode fields) {
    Item collection = catalog.live(Catalog.Kind.COLLECTION, record.bucket(), record.collection()).orElse(null);
    if (collection == null) {
      return;
    }
    JsonNode schema = collection.fields().get("schema");
    if (schema == null || !schema.isObject()) {
      fields.remove("schema");
      return;
    }
    ObjectNode candidate = fields.deepCopy();
    candidate.remove("schema");
    candidate.put("id", record.id());
    List<Error> errors = compile(schema).validate(candidate);
    if (!errors.isEmpty()) {
      Error first = errors.get(0);
      String name = first.getInstanceLocation().toString().replaceFirst("^\\$\\.?", "");
      throw KintoException.invalid("body", name.isEmpty() ? "data" : "data." + name, first.getMessage());
    }
    fields.put("schema", collection.lastModified());
  }

  /** Compiles a collection's schema, so a broken one is refused when the collection is written. */
  Schema compile(JsonNode schema) {
    String key = schema.toString();
    Schema s = compiled.get(key);
    if (s == null) {
      try {
        s = registry.getSchema(schema);
      } catch (RuntimeException e) {
        throw KintoException.invalid("body", "data.schema", "Invalid JSON schema: " + e.getMessage());
      }
      if (compiled.size() >= CACHE_LIMIT) {
        compiled.clear();
      }
      compiled.put(key, s);
    }
    return s;
  }
}
