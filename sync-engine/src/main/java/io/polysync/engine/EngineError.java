package io.polysync.engine;

import io.polysync.spi.ErrorCategory;
import io.polysync.spi.ErrorCode;
import java.util.Locale;

/**
 * The error codes the engine raises, on top of the storage codes in {@link
 * io.polysync.spi.StorageError} (which the engine translates where a protocol needs a more precise
 * meaning, e.g. a missing namespace becomes {@link #DATABASE_NOT_FOUND}).
 *
 * <p>Where a protocol distinguishes reasons within one code, the exception message carries the
 * reason verbatim: {@link #DOCUMENT_NOT_FOUND} has the message {@code missing} or {@code deleted},
 * the two reasons CouchDB reports.
 */
public enum EngineError implements ErrorCode {
  /** A revision id is not {@code N-hash} with a positive generation (CouchDB 400 bad_request). */
  INVALID_REVISION(ErrorCategory.INVALID_REQUEST),
  /** A request is malformed in a way no more specific code describes (CouchDB 400). */
  BAD_REQUEST(ErrorCategory.INVALID_REQUEST),
  /** A document body is not acceptable: not an object, a bad special member (CouchDB 400 doc_validation). */
  INVALID_DOCUMENT(ErrorCategory.INVALID_REQUEST),
  /** An interactive edit does not extend a current leaf (CouchDB 409 conflict). */
  DOCUMENT_CONFLICT(ErrorCategory.CONFLICT),
  /** The document, or the requested revision of it, does not exist; message {@code missing} or {@code deleted}. */
  DOCUMENT_NOT_FOUND(ErrorCategory.NOT_FOUND),
  /** The attachment does not exist on the requested revision (CouchDB 404). */
  ATTACHMENT_NOT_FOUND(ErrorCategory.NOT_FOUND),
  /** The database (namespace) does not exist (CouchDB 404 "Database does not exist."). */
  DATABASE_NOT_FOUND(ErrorCategory.NOT_FOUND),
  /** A database of that name exists already (CouchDB 412 file_exists). */
  DATABASE_EXISTS(ErrorCategory.CONFLICT),
  /** A database name breaks the CouchDB naming rule (CouchDB 400 illegal_database_name). */
  INVALID_DATABASE_NAME(ErrorCategory.INVALID_REQUEST),
  /** An attachment stub names no attachment of the parent revision (CouchDB 412 missing_stub). */
  MISSING_STUB(ErrorCategory.INVALID_REQUEST),
  /** An attachment entry is malformed: bad base64, no data, a digest that does not match (CouchDB 400). */
  INVALID_ATTACHMENT(ErrorCategory.INVALID_REQUEST),
  /** The encoded document is larger than the storage accepts (CouchDB 413). */
  DOCUMENT_TOO_LARGE(ErrorCategory.INVALID_REQUEST),
  /** A selector uses an operator or operand the engine does not support (CouchDB 400 invalid_selector). */
  INVALID_SELECTOR(ErrorCategory.INVALID_REQUEST),
  /**
   * The caller may use the database but not this document: on an owned database, a write to a
   * document another user owns (CouchDB 403 forbidden).
   */
  FORBIDDEN(ErrorCategory.INVALID_REQUEST),
  /** No user of that name (CouchDB 404 not_found). */
  USER_NOT_FOUND(ErrorCategory.NOT_FOUND),
  /** A user of that name exists already (CouchDB 409 conflict). */
  USER_EXISTS(ErrorCategory.CONFLICT),
  /** A user name, password or role breaks the rules in {@link UserStore} (CouchDB 400). */
  INVALID_USER(ErrorCategory.INVALID_REQUEST),
  /**
   * A stored state cannot be decoded: a corrupt store or a newer format, or a sealed value that does
   * not open under its key with its place (namespace, id, revision) — altered, or moved there.
   */
  CORRUPT_STATE(ErrorCategory.INTERNAL),
  /**
   * Encryption at rest needs a key the engine does not have: no key provider was configured, or a
   * data key is wrapped by a key-encryption key the provider does not hold (see docs/security.md).
   */
  KEY_UNAVAILABLE(ErrorCategory.INTERNAL);

  private final ErrorCategory category;

  EngineError(ErrorCategory category) {
    this.category = category;
  }

  @Override
  public String code() {
    return "engine." + name().toLowerCase(Locale.ROOT);
  }

  @Override
  public ErrorCategory category() {
    return category;
  }
}
