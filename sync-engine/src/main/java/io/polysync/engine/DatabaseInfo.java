package io.polysync.engine;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A database's counters, read in one storage call (no scan).
 *
 * @param name the database (namespace) name
 * @param docCount documents whose winning revision is not deleted (CouchDB {@code doc_count})
 * @param docDelCount documents whose winning revision is deleted ({@code doc_del_count})
 * @param updateSeq the highest sequence number assigned ({@code update_seq})
 * @param lastTimestamp the highest write timestamp assigned, epoch milliseconds; 0 when none
 * @param metadata the free metadata front-ends keep with the database (see {@link
 *     Database#metadata})
 */
public record DatabaseInfo(
    String name, long docCount, long docDelCount, long updateSeq, long lastTimestamp,
    Map<String, String> metadata) {
  public DatabaseInfo {
    requireNonNull(name, "name is null");
    metadata = Map.copyOf(metadata);
  }
}
