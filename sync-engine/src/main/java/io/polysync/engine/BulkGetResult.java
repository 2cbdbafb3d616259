package io.polysync.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The answer to one {@link BulkGetRequest}, in request order: one entry per revision returned (the
 * requested one, or with {@code latest} the leaves descending from it). Unknown revisions come
 * back as {@link OpenRevResult.Failed} with {@link EngineError#DOCUMENT_NOT_FOUND}, as CouchDB's
 * {@code _bulk_get} reports them.
 */
public record BulkGetResult(String id, List<OpenRevResult> docs) {
  public BulkGetResult {
    requireNonNull(id, "id is null");
    docs = List.copyOf(docs);
  }
}
