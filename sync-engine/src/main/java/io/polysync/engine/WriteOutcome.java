package io.polysync.engine;

import static java.util.Objects.requireNonNull;

import io.polysync.spi.ErrorCode;
import io.polysync.spi.SyncException;
import java.util.Optional;

/** The result of one document of a write, in request order. */
public sealed interface WriteOutcome {
  String id();

  /**
   * Written (or, for a replicated revision already present, already there).
   *
   * @param rev the revision written
   * @param seq the sequence number of the document's stored state after the write
   * @param timestamp the timestamp of that state, epoch milliseconds (Kinto's {@code last_modified})
   */
  record Ok(String id, String rev, long seq, long timestamp) implements WriteOutcome {
    public Ok {
      requireNonNull(id, "id is null");
      requireNonNull(rev, "rev is null");
    }
  }

  /**
   * Refused; nothing of this document was written.
   *
   * @param id the document id, empty string when the document had none
   * @param rev the revision the document named, if any
   * @param error the code ({@link EngineError#DOCUMENT_CONFLICT}, {@link EngineError#MISSING_STUB}, ...)
   * @param reason a human-readable reason
   */
  record Failed(String id, Optional<String> rev, ErrorCode error, String reason) implements WriteOutcome {
    public Failed {
      requireNonNull(id, "id is null");
      requireNonNull(rev, "rev is null");
      requireNonNull(error, "error is null");
      requireNonNull(reason, "reason is null");
    }

    /** The failure as an exception, for single-document calls. */
    public SyncException toException() {
      return new SyncException(error, reason);
    }
  }
}
