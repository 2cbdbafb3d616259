package io.polysync.engine;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * CouchDB's {@code _changes} parameters (the feed mode is the front-end's: it calls {@link
 * Database#changes(ChangesOptions)} and {@link Database#awaitChanges} as the mode needs).
 *
 * @param since only changes strictly after this sequence; 0 for the beginning
 * @param limit the most rows; {@link Integer#MAX_VALUE} for all
 * @param docIds only these ids (the {@code _doc_ids} filter)
 * @param selector only documents whose winning body matches this Mango selector (the {@code
 *     _selector} filter); see {@link Selectors} for what is supported
 */
public record ChangesOptions(
    long since,
    int limit,
    boolean descending,
    Style style,
    boolean includeDocs,
    boolean conflicts,
    boolean attachments,
    Optional<List<String>> docIds,
    Optional<ObjectNode> selector) {

  /** Which revisions a row lists. */
  public enum Style {
    /** The winning revision only. */
    MAIN_ONLY,
    /** Every leaf, deleted ones included: how conflicts replicate. */
    ALL_DOCS
  }

  public ChangesOptions {
    requireNonNull(style, "style is null");
    docIds = docIds.map(List::copyOf);
    requireNonNull(selector, "selector is null");
    if (since < 0 || limit < 0) {
      throw new IllegalArgumentException("since and limit must not be negative");
    }
  }

  public static ChangesOptions since(long since) {
    return new ChangesOptions(since, Integer.MAX_VALUE, false, Style.MAIN_ONLY, false, false, false,
        Optional.empty(), Optional.empty());
  }

  public ChangesOptions withLimit(int value) {
    return new ChangesOptions(since, value, descending, style, includeDocs, conflicts, attachments, docIds, selector);
  }

  public ChangesOptions withDescending(boolean value) {
    return new ChangesOptions(since, limit, value, style, includeDocs, conflicts, attachments, docIds, selector);
  }

  public ChangesOptions withStyle(Style value) {
    return new ChangesOptions(since, limit, descending, value, includeDocs, conflicts, attachments, docIds, selector);
  }

  public ChangesOptions withIncludeDocs(boolean value) {
    return new ChangesOptions(since, limit, descending, style, value, conflicts, attachments, docIds, selector);
  }

  public ChangesOptions withConflicts(boolean value) {
    return new ChangesOptions(since, limit, descending, style, includeDocs, value, attachments, docIds, selector);
  }

  public ChangesOptions withAttachments(boolean value) {
    return new ChangesOptions(since, limit, descending, style, includeDocs, conflicts, value, docIds, selector);
  }

  public ChangesOptions withDocIds(List<String> value) {
    return new ChangesOptions(since, limit, descending, style, includeDocs, conflicts, attachments,
        Optional.of(value), selector);
  }

  public ChangesOptions withSelector(ObjectNode value) {
    return new ChangesOptions(since, limit, descending, style, includeDocs, conflicts, attachments, docIds,
        Optional.of(value));
  }

  public ChangesOptions withSince(long value) {
    return new ChangesOptions(value, limit, descending, style, includeDocs, conflicts, attachments, docIds, selector);
  }
}
