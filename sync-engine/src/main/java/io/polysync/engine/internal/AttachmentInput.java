package io.polysync.engine.internal;

import java.util.Optional;
import java.util.OptionalLong;

/** An {@code _attachments} entry of a write, as parsed and before it is resolved against the tree. */
sealed interface AttachmentInput {
  /** {@code stub: true}: keep the parent revision's attachment of this name. */
  record Stub(Optional<String> digest) implements AttachmentInput {}

  /** New content: inline base64 decoded, or bytes supplied beside the document ({@code follows}). */
  record Data(
      String contentType,
      byte[] bytes,
      Optional<String> encoding,
      Optional<String> digest,
      OptionalLong length,
      OptionalLong revpos)
      implements AttachmentInput {}
}
