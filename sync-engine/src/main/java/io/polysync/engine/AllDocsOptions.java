package io.polysync.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * CouchDB's {@code _all_docs} parameters. Keys are document ids ({@code startkey}, {@code endkey},
 * {@code key} arrive JSON-encoded on the wire; the front-end decodes them).
 *
 * @param startKey the first id (the highest when descending)
 * @param endKey the last id
 * @param keys exactly these ids, in this order, instead of a range (deleted and missing ones get
 *     rows too, as in CouchDB)
 * @param limit the most rows; {@link Integer#MAX_VALUE} for all
 */
public record AllDocsOptions(
    Optional<String> startKey,
    Optional<String> endKey,
    Optional<List<String>> keys,
    boolean inclusiveEnd,
    int limit,
    int skip,
    boolean descending,
    boolean includeDocs,
    boolean conflicts,
    boolean attachments) {

  public AllDocsOptions {
    requireNonNull(startKey, "startKey is null");
    requireNonNull(endKey, "endKey is null");
    keys = keys.map(List::copyOf);
    if (limit < 0 || skip < 0) {
      throw new IllegalArgumentException("limit and skip must not be negative");
    }
  }

  public static AllDocsOptions defaults() {
    return new AllDocsOptions(
        Optional.empty(), Optional.empty(), Optional.empty(), true, Integer.MAX_VALUE, 0, false, false, false, false);
  }

  public AllDocsOptions withRange(String start, String end) {
    return new AllDocsOptions(Optional.ofNullable(start), Optional.ofNullable(end), keys, inclusiveEnd, limit, skip,
        descending, includeDocs, conflicts, attachments);
  }

  /** CouchDB's {@code key}: the one id. */
  public AllDocsOptions withKey(String key) {
    return new AllDocsOptions(Optional.of(key), Optional.of(key), keys, true, limit, skip, descending, includeDocs,
        conflicts, attachments);
  }

  public AllDocsOptions withKeys(List<String> value) {
    return new AllDocsOptions(startKey, endKey, Optional.of(value), inclusiveEnd, limit, skip, descending,
        includeDocs, conflicts, attachments);
  }

  public AllDocsOptions withInclusiveEnd(boolean value) {
    return new AllDocsOptions(startKey, endKey, keys, value, limit, skip, descending, includeDocs, conflicts,
        attachments);
  }

  public AllDocsOptions withLimit(int value) {
    return new AllDocsOptions(startKey, endKey, keys, inclusiveEnd, value, skip, descending, includeDocs, conflicts,
        attachments);
  }

  public AllDocsOptions withSkip(int value) {
    return new AllDocsOptions(startKey, endKey, keys, inclusiveEnd, limit, value, descending, includeDocs, conflicts,
        attachments);
  }

  public AllDocsOptions withDescending(boolean value) {
    return new AllDocsOptions(startKey, endKey, keys, inclusiveEnd, limit, skip, value, includeDocs, conflicts,
        attachments);
  }

  public AllDocsOptions withIncludeDocs(boolean value) {
    return new AllDocsOptions(startKey, endKey, keys, inclusiveEnd, limit, skip, descending, value, conflicts,
        attachments);
  }

  public AllDocsOptions withConflicts(boolean value) {
    return new AllDocsOptions(startKey, endKey, keys, inclusiveEnd, limit, skip, descending, includeDocs, value,
        attachments);
  }

  public AllDocsOptions withAttachments(boolean value) {
    return new AllDocsOptions(startKey, endKey, keys, inclusiveEnd, limit, skip, descending, includeDocs, conflicts,
        value);
  }
}
