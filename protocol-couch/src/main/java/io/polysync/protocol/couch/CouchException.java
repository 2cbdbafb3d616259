package io.polysync.protocol.couch;

/** An error this front-end raises itself, already in CouchDB's terms. */
final class CouchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String error;

  CouchException(int status, String error, String reason) {
    super(reason);
    this.status = status;
    this.error = error;
  }

  int status() {
    return status;
  }

  String error() {
    return error;
  }

  String reason() {
    return getMessage();
  }

  static CouchException badRequest(String reason) {
    return new CouchException(400, "bad_request", reason);
  }

  static CouchException notFound(String reason) {
    return new CouchException(404, "not_found", reason);
  }

  /** A CouchDB endpoint this server does not provide (CouchDB's own 501 {@code not_implemented}). */
  static CouchException notImplemented(String reason) {
    return new CouchException(501, "not_implemented", reason);
  }
}
