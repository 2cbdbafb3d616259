package io.polysync.engine;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * The {@code _all_docs} answer.
 *
 * @param totalRows the live documents of the database ({@code doc_count}, from its counters: no scan)
 * @param offset the {@code skip} applied (CouchDB's offset counts rows before the start key, which
 *     would need a scan)
 * @param updateSeq the database's {@code update_seq} when the listing started
 */
public record AllDocsResult(long totalRows, long offset, List<Row> rows, long updateSeq) {
  public AllDocsResult {
    rows = List.copyOf(rows);
  }

  /**
   * One row: {@code {"id","key","value":{"rev","deleted"?},"doc"?}}, or for a {@code keys} entry
   * that does not exist {@code {"key","error":"not_found"}} ({@code error} present, {@code rev} empty).
   *
   * @param doc the winning revision when {@code include_docs} was asked and it is not deleted
   */
  public record Row(
      String id, Optional<String> rev, boolean deleted, Optional<ObjectNode> doc, Optional<String> error) {
    public Row {
      requireNonNull(id, "id is null");
      requireNonNull(rev, "rev is null");
      requireNonNull(doc, "doc is null");
      requireNonNull(error, "error is null");
    }
  }
}
