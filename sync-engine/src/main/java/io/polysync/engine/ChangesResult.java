package io.polysync.engine;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A page of the changes feed.
 *
 * @param lastSeq where the next page starts ({@code since}): past every row examined, including
 *     rows a filter dropped, so a filtered follower never rescans them
 * @param pending how many changes remain after {@code lastSeq}: 0 when this page reached the end
 *     of the feed, empty when it stopped at the limit (counting the rest would need a scan)
 */
public record ChangesResult(List<Row> results, long lastSeq, OptionalLong pending) {
  public ChangesResult {
    results = List.copyOf(results);
    requireNonNull(pending, "pending is null");
  }

  /**
   * One document's latest change.
   *
   * @param changes the revisions: the winner, or with {@link ChangesOptions.Style#ALL_DOCS} every
   *     leaf (winner first)
   * @param deleted whether the winning revision is a deletion
   * @param timestamp the write's timestamp, epoch milliseconds
   * @param doc the winning revision, with {@code include_docs}
   */
  public record Row(long seq, String id, List<String> changes, boolean deleted, long timestamp,
      Optional<ObjectNode> doc) {
    public Row {
      requireNonNull(id, "id is null");
      changes = List.copyOf(changes);
      requireNonNull(doc, "doc is null");
    }
  }
}
