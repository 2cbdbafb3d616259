package io.polysync.engine;

import static java.util.Objects.requireNonNull;

import io.polysync.spi.ErrorCode;
import java.util.Optional;

/** One answer of an open-revisions read ({@code open_revs}, {@code _bulk_get}). */
public sealed interface OpenRevResult {
  /** The revision was found: CouchDB's {@code {"ok": doc}}. */
  record Found(Document document) implements OpenRevResult {
    public Found {
      requireNonNull(document, "document is null");
    }
  }

  /** The revision is not known, or its body is gone: CouchDB's {@code {"missing": rev}}. */
  record Missing(String rev) implements OpenRevResult {
    public Missing {
      requireNonNull(rev, "rev is null");
    }
  }

  /**
   * The request itself failed ({@code _bulk_get}'s {@code {"error": {id, rev, error, reason}}}),
   * e.g. {@link EngineError#DOCUMENT_NOT_FOUND} with reason {@code missing} or {@code deleted}.
   */
  record Failed(String id, Optional<String> rev, ErrorCode error, String reason) implements OpenRevResult {
    public Failed {
      requireNonNull(id, "id is null");
      requireNonNull(rev, "rev is null");
      requireNonNull(error, "error is null");
      requireNonNull(reason, "reason is null");
    }
  }
}
