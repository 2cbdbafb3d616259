package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kinto's JSON schemas (draft 7 unless a schema names another with {@code $schema}):
 *
 * <ul>
 *   <li>a collection whose {@code data.schema} holds a schema accepts only records that validate;
 *       a record that passes gets a {@code schema} field with the collection's timestamp;
 *   <li>a bucket's {@code data["record:schema"]}, {@code data["collection:schema"]} and {@code
 *       data["group:schema"]} validate every record, collection and group written in it (a record
 *       must pass both its bucket's and its collection's schema);
 *   <li>a schema is compiled when the object holding it is written, so a broken one is refused
 *       then (400 errno 107), not at the next record write.
 * </ul>
 *
 * The fields Kinto manages ({@code id}, {@code last_modified}, and a record's {@code schema}) are
 * not part of what is validated, except {@code id}, which is. Validation is by networknt's
 * json-schema-validator, whose default loader never fetches a remote {@code $ref}.
 */
final class Schemas implements KintoSettings.RecordValidator {
  private static final int CACHE_LIMIT = 256;
  private static final String DRAFT_7 = "http://json-schema.org/draft-07/schema#";
  private static final List<String> BUCKET_SCHEMAS = List.of("collection:schema", "group:schema", "record:schema");
  private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
  private final Map<String, Schema> compiled = new ConcurrentHashMap<>();

  @Override
  public void validate(Catalog catalog, KintoApi.Target target, ObjectNode fields) {
    switch (target.level()) {
      case BUCKET -> {
        for (String name : BUCKET_SCHEMAS) {
          checkSchema(fields, name);
        }
      }
      case COLLECTION -> {
        checkSchema(fields, "schema");
        againstBucket(catalog, target, "collection:schema", fields);
      }
      case GROUP -> againstBucket(catalog, target, "group:schema", fields);
      case RECORD -> record(catalog, target, fields);
    }
  }

  private void record(Catalog catalog, KintoApi.Target record, ObjectNode fields) {
    againstBucket(catalog, record, "record:schema", fields);
    Item collection = catalog.live(Catalog.Kind.COLLECTION, record.bucket(), record.collection()).orElse(null);
    JsonNode schema = collection == null ? null : collection.fields().get("schema");
    if (schema == null || !schema.isObject()) {
      fields.remove("schema");
      return;
    }
    check(schema, "data.schema", record.id(), fields);
    fields.put("schema", collection.lastModified());
  }

  private void againstBucket(Catalog catalog, KintoApi.Target target, String name, ObjectNode fields) {
    Item bucket = catalog.live(Catalog.Kind.BUCKET, target.bucket(), null).orElse(null);
    JsonNode schema = bucket == null ? null : bucket.fields().get(name);
    if (schema != null && schema.isObject()) {
      check(schema, "data." + name, target.id(), fields);
    }
  }

  private void check(JsonNode schema, String schemaField, String id, ObjectNode fields) {
    ObjectNode candidate = fields.deepCopy();
    candidate.remove("schema");
    candidate.put("id", id);
    List<Error> errors = compile(schema, schemaField).validate(candidate);
    if (!errors.isEmpty()) {
      Error first = errors.get(0);
      String name = first.getInstanceLocation().toString().replaceFirst("^\\$\\.?", "");
      throw KintoException.invalid("body", name.isEmpty() ? "data" : "data." + name, first.getMessage());
    }
  }

  /** A schema set on the object being written must be an object that compiles. */
  private void checkSchema(ObjectNode fields, String name) {
    JsonNode schema = fields.get(name);
    if (schema == null || schema.isNull()) {
      return;
    }
    if (!schema.isObject()) {
      throw KintoException.invalid("body", "data." + name, "must be a JSON schema (an object)");
    }
    compile(schema, "data." + name);
  }

  private Schema compile(JsonNode schema, String field) {
    String key = schema.toString();
    Schema s = compiled.get(key);
    if (s == null) {
      List<Error> problems;
      try {
        // As Kinto's check_schema: the schema must be valid against its dialect's meta-schema
        // (bundled with the library; a dialect it does not know is refused, never fetched).
        problems = registry.getSchema(SchemaLocation.of(metaSchema(schema))).validate(schema);
        s = registry.getSchema(schema);
      } catch (RuntimeException e) {
        throw KintoException.invalid("body", field, "Invalid JSON schema: " + e.getMessage());
      }
      if (!problems.isEmpty()) {
        throw KintoException.invalid("body", field, "Invalid JSON schema: " + problems.get(0).getMessage());
      }
      if (compiled.size() >= CACHE_LIMIT) {
        compiled.clear();
      }
      compiled.put(key, s);
    }
    return s;
  }

  private static String metaSchema(JsonNode schema) {
    String declared = schema.path("$schema").asText("");
    return declared.startsWith("http://json-schema.org/") || declared.startsWith("https://json-schema.org/")
        ? declared : DRAFT_7;
  }
}
