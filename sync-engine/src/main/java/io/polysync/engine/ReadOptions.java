package io.polysync.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * How to read a document: CouchDB's {@code GET /{db}/{id}} query parameters.
 *
 * @param rev a specific revision instead of the winner
 * @param revs add {@code _revisions}
 * @param revsInfo add {@code _revs_info}
 * @param conflicts add {@code _conflicts}
 * @param deletedConflicts add {@code _deleted_conflicts}
 * @param attachments inline attachment data (base64) instead of stubs
 * @param attsSince inline only attachments changed after these revisions (CouchDB {@code atts_since})
 * @param localSeq add {@code _local_seq}
 * @param latest with open revisions: answer with the leaves descending from each requested revision
 */
public record ReadOptions(
    Optional<String> rev,
    boolean revs,
    boolean revsInfo,
    boolean conflicts,
    boolean deletedConflicts,
    boolean attachments,
    List<String> attsSince,
    boolean localSeq,
    boolean latest) {

  public ReadOptions {
    requireNonNull(rev, "rev is null");
    attsSince = List.copyOf(attsSince);
  }

  /** The winner, no extras, attachment stubs. */
  public static ReadOptions defaults() {
    return new ReadOptions(Optional.empty(), false, false, false, false, false, List.of(), false, false);
  }

  public ReadOptions withRev(String value) {
    return new ReadOptions(Optional.of(value), revs, revsInfo, conflicts, deletedConflicts, attachments, attsSince, localSeq, latest);
  }

  public ReadOptions withRevs(boolean value) {
    return new ReadOptions(rev, value, revsInfo, conflicts, deletedConflicts, attachments, attsSince, localSeq, latest);
  }

  public ReadOptions withRevsInfo(boolean value) {
    return new ReadOptions(rev, revs, value, conflicts, deletedConflicts, attachments, attsSince, localSeq, latest);
  }

  public ReadOptions withConflicts(boolean value) {
    return new ReadOptions(rev, revs, revsInfo, value, deletedConflicts, attachments, attsSince, localSeq, latest);
  }

  public ReadOptions withDeletedConflicts(boolean value) {
    return new ReadOptions(rev, revs, revsInfo, conflicts, value, attachments, attsSince, localSeq, latest);
  }

  public ReadOptions withAttachments(boolean value) {
    return new ReadOptions(rev, revs, revsInfo, conflicts, deletedConflicts, value, attsSince, localSeq, latest);
  }

  public ReadOptions withAttsSince(List<String> value) {
    return new ReadOptions(rev, revs, revsInfo, conflicts, deletedConflicts, attachments, value, localSeq, latest);
  }

  public ReadOptions withLocalSeq(boolean value) {
    return new ReadOptions(rev, revs, revsInfo, conflicts, deletedConflicts, attachments, attsSince, value, latest);
  }

  public ReadOptions withLatest(boolean value) {
    return new ReadOptions(rev, revs, revsInfo, conflicts, deletedConflicts, attachments, attsSince, localSeq, value);
  }
}
