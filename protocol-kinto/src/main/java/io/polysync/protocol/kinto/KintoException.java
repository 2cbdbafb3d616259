package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;

/**
 * An answer in Kinto's error format, {@code {code, errno, error, message, details?}}, with the errno
 * table of Kinto's {@code kinto/core/errors.py}. Thrown by handlers and rendered by the router.
 */
final class KintoException extends RuntimeException {
  static final int MISSING_AUTH = 104;
  static final int INVALID_AUTH = 105;
  static final int BAD_JSON = 106;
  static final int INVALID_PARAMETERS = 107;
  static final int MISSING_PARAMETERS = 108;
  static final int INVALID_POSTED_DATA = 109;
  static final int INVALID_RESOURCE_ID = 110;
  static final int MISSING_RESOURCE = 111;
  static final int MISSING_CONTENT_LENGTH = 112;
  static final int TOO_LARGE = 113;
  static final int MODIFIED_MEANWHILE = 114;
  static final int METHOD_NOT_ALLOWED = 115;
  static final int VERSION_NOT_AVAILABLE = 116;
  static final int CLIENT_REACHED_CAPACITY = 117;
  static final int FORBIDDEN = 121;
  static final int CONSTRAINT_VIOLATED = 122;
  static final int BACKEND = 201;
  static final int SERVICE_DEPRECATED = 202;
  static final int UNDEFINED = 999;

  private static final Map<Integer, String> REASONS = Map.ofEntries(
      Map.entry(400, "Invalid parameters"), Map.entry(401, "Unauthorized"), Map.entry(403, "Forbidden"),
      Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"), Map.entry(406, "Not Acceptable"),
      Map.entry(409, "Conflict"), Map.entry(410, "Gone"), Map.entry(411, "Length Required"),
      Map.entry(412, "Precondition Failed"), Map.entry(413, "Request Entity Too Large"),
      Map.entry(415, "Unsupported Media Type"), Map.entry(429, "Too Many Requests"),
      Map.entry(500, "Internal Server Error"), Map.entry(503, "Service Unavailable"));

  final int status;
  final int errno;
  final transient JsonNode details;
  final Map<String, String> headers;

  KintoException(int status, int errno, String message, JsonNode details, Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.errno = errno;
    this.details = details;
    this.headers = Map.copyOf(headers);
  }

  KintoException(int status, int errno, String message) {
    this(status, errno, message, null, Map.of());
  }

  KintoException(int status, int errno, String message, JsonNode details) {
    this(status, errno, message, details, Map.of());
  }

  String error() {
    return REASONS.getOrDefault(status, "Error");
  }

  Optional<JsonNode> detailsNode() {
    return Optional.ofNullable(details);
  }

  /** 400 errno 107 with Kinto's validation {@code details}: one error at {@code location}. */
  static KintoException invalid(String location, String name, String description) {
    var details = Json.MAPPER.createArrayNode();
    var entry = details.addObject();
    entry.put("location", location);
    entry.put("name", name);
    entry.put("description", description);
    return new KintoException(400, INVALID_PARAMETERS, name + " in " + location + ": " + description, details);
  }

  static KintoException badJson(String description) {
    var details = Json.MAPPER.createArrayNode();
    var entry = details.addObject();
    entry.put("location", "body");
    entry.put("description", description);
    return new KintoException(400, BAD_JSON, "Invalid JSON: " + description, details);
  }

  /** 404 for an object whose parent the caller may read: {@code details} name the object. */
  static KintoException missing(String resourceName, String id) {
    var details = Json.MAPPER.createObjectNode();
    details.put("id", id);
    details.put("resource_name", resourceName);
    return new KintoException(404, INVALID_RESOURCE_ID, "The resource you are looking for could not be found.", details);
  }

  /** 404 for a missing parent object (errno 111, as Kinto answers for a missing bucket or collection). */
  static KintoException missingParent(String resourceName, String id) {
    var details = Json.MAPPER.createObjectNode();
    details.put("id", id);
    details.put("resource_name", resourceName);
    return new KintoException(404, MISSING_RESOURCE, "The resource you are looking for could not be found.", details);
  }

  static KintoException notFound() {
    return new KintoException(404, MISSING_RESOURCE, "The resource you are looking for could not be found.");
  }

  static KintoException unauthorized() {
    return new KintoException(401, MISSING_AUTH, "Please authenticate yourself to use this endpoint.");
  }

  static KintoException invalidCredentials() {
    return new KintoException(401, INVALID_AUTH, "Please authenticate yourself to use this endpoint.");
  }

  static KintoException forbidden() {
    return new KintoException(403, FORBIDDEN, "This user cannot access this resource.");
  }

  static KintoException methodNotAllowed() {
    return new KintoException(405, METHOD_NOT_ALLOWED, "Method not allowed on this endpoint.");
  }

  /** 412 errno 114; {@code existing} (the current object, no permissions) goes in the details when present. */
  static KintoException modified(JsonNode existing, long timestamp) {
    var details = existing == null ? null : Json.MAPPER.createObjectNode().set("existing", existing);
    return new KintoException(412, MODIFIED_MEANWHILE, "Resource was modified meanwhile", details,
        timestamp > 0 ? Map.of("ETag", "\"" + timestamp + "\"") : Map.of());
  }
}
