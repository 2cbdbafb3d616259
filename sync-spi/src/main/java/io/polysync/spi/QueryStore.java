package io.polysync.spi;

import java.util.List;
import java.util.Optional;

/**
 * Native query push-down. Declared by {@link Capability#QUERY_PUSHDOWN}; without it every call
 * throws {@link StorageError#UNSUPPORTED_CAPABILITY}.
 *
 * <p>An adapter decides per query what it can answer natively: it returns empty for a query it
 * cannot run exactly (a field path its backend cannot index, an operator it lacks), and the engine
 * then evaluates that query itself with {@link QueryEvaluator}. A non-empty answer must equal
 * the reference evaluator's, document for document and in order; the compliance kit checks this on
 * random data. Documents written without a {@link WriteItem#queryBody()} have no body fields here.
 */
public interface QueryStore {
  /**
   * Runs {@code query} against {@code namespace}.
   *
   * @return the matching documents in query order, at most {@code query.limit()}; or empty if this
   *     adapter cannot answer this query exactly
   */
  Optional<List<StoredDocument>> query(String namespace, Query query);
}
