package io.polysync.engine;

import io.polysync.spi.Query;
import java.util.List;
import java.util.Optional;

/**
 * A page of query results.
 *
 * @param documents the winning revisions, in query order
 * @param next the cursor to pass as {@link Query#after()} for the next page; empty when this page
 *     was not full (there is no next page)
 */
public record QueryResult(List<Document> documents, Optional<Query.Cursor> next) {
  public QueryResult {
    documents = List.copyOf(documents);
    java.util.Objects.requireNonNull(next, "next is null");
  }
}
