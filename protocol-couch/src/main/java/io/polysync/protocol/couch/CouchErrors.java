package io.polysync.protocol.couch;

import io.polysync.engine.EngineError;
import io.polysync.spi.ErrorCategory;
import io.polysync.spi.ErrorCode;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.util.HashMap;
import java.util.Map;

/**
 * The one table from engine and storage error codes to CouchDB's status and error name (as in
 * CouchDB's {@code chttpd.erl} {@code error_info/1}). A code not in the table falls back to its
 * category, so a new engine code gets a sensible answer without a change here.
 */
final class CouchErrors {
  /** A CouchDB error answer; {@code reason} null means the exception's message. */
  record Mapping(int status, String error, String reason) {}

  private static final Map<String, Mapping> BY_CODE = new HashMap<>();

  static {
    put(EngineError.INVALID_REVISION, 400, "bad_request", "Invalid rev format");
    put(EngineError.BAD_REQUEST, 400, "bad_request", null);
    put(EngineError.INVALID_DOCUMENT, 400, "doc_validation", null);
    put(EngineError.DOCUMENT_CONFLICT, 409, "conflict", "Document update conflict.");
    put(EngineError.DOCUMENT_NOT_FOUND, 404, "not_found", null);
    put(EngineError.ATTACHMENT_NOT_FOUND, 404, "not_found", "Document is missing attachment");
    put(EngineError.DATABASE_NOT_FOUND, 404, "not_found", "Database does not exist.");
    put(EngineError.DATABASE_EXISTS, 412, "file_exists",
        "The database could not be created, the file already exists.");
    put(EngineError.INVALID_DATABASE_NAME, 400, "illegal_database_name", null);
    put(EngineError.MISSING_STUB, 412, "missing_stub", null);
    put(EngineError.INVALID_ATTACHMENT, 400, "bad_request", null);
    put(EngineError.DOCUMENT_TOO_LARGE, 413, "document_too_large", null);
    put(EngineError.INVALID_SELECTOR, 400, "bad_request", null);
    put(EngineError.FORBIDDEN, 403, "forbidden", null);
    put(StorageError.NAMESPACE_NOT_FOUND, 404, "not_found", "Database does not exist.");
    put(StorageError.NAMESPACE_EXISTS, 412, "file_exists",
        "The database could not be created, the file already exists.");
    put(StorageError.LOCAL_CONFLICT, 409, "conflict", "Document update conflict.");
    put(StorageError.INVALID_ID, 400, "bad_request", null);
    put(StorageError.INVALID_NAMESPACE_NAME, 400, "illegal_database_name", null);
    put(StorageError.VALUE_TOO_LARGE, 413, "document_too_large", null);
    put(StorageError.UNAVAILABLE, 503, "service_unavailable", "The storage is unavailable; retry later.");
    put(StorageError.INTERNAL, 500, "internal_server_error", "Internal error.");
  }

  private CouchErrors() {}

  private static void put(ErrorCode code, int status, String error, String reason) {
    BY_CODE.put(code.code(), new Mapping(status, error, reason));
  }

  static Mapping of(ErrorCode code, String message) {
    Mapping mapping = BY_CODE.get(code.code());
    if (mapping == null) {
      mapping = byCategory(code.category());
    }
    return mapping.reason() == null ? new Mapping(mapping.status(), mapping.error(), message) : mapping;
  }

  static Mapping of(SyncException e) {
    return of(e.errorCode(), e.getMessage());
  }

  private static Mapping byCategory(ErrorCategory category) {
    return switch (category) {
      case NOT_FOUND -> new Mapping(404, "not_found", null);
      case CONFLICT -> new Mapping(409, "conflict", null);
      case INVALID_REQUEST -> new Mapping(400, "bad_request", null);
      case UNSUPPORTED -> new Mapping(501, "not_implemented", null);
      // Never echo an internal message: it may describe the storage.
      case UNAVAILABLE -> new Mapping(503, "service_unavailable", "The storage is unavailable; retry later.");
      case INTERNAL -> new Mapping(500, "internal_server_error", "Internal error.");
    };
  }
}
