package io.polysync.engine.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated document write.
 *
 * @param id the document id
 * @param rev the {@code _rev} given (or the newest of {@code _revisions})
 * @param path the {@code _revisions} path, newest first; empty when none was given
 * @param deleted {@code _deleted: true}
 * @param body the body without special members
 * @param attachments the {@code _attachments} entries by name, in the order given
 */
record ParsedDoc(
    String id,
    Optional<Rev> rev,
    List<Rev> path,
    boolean deleted,
    ObjectNode body,
    Map<String, AttachmentInput> attachments) {}
