package io.polysync.engine;

import java.util.List;

/**
 * The {@code _revs_diff} answer for one document.
 *
 * @param missing the requested revisions the database does not have
 * @param possibleAncestors leaves the database has whose generation is lower than some missing
 *     revision's (CouchDB passes these on as {@code atts_since})
 */
public record RevsDiff(List<String> missing, List<String> possibleAncestors) {
  public RevsDiff {
    missing = List.copyOf(missing);
    possibleAncestors = List.copyOf(possibleAncestors);
  }
}
